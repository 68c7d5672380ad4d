// `sluice cluster digest DATA_DIR`: an offline hash of a node's store, so that
// replicas can be compared after they stopped (docs/cluster.md, "Fault tests").
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "storage/rocksdb/digest.hpp"

namespace sluice::cli {

namespace {

struct digest_flags {
  std::string data_dir;
  bool families = false;
};

/// A cluster node keeps its RocksDB store in DATA_DIR/store (beside DATA_DIR/raft);
/// a single node keeps it in DATA_DIR itself.
std::string store_dir(const std::string& data_dir) {
  std::error_code ec;
  auto nested = std::filesystem::path{data_dir} / "store";
  return std::filesystem::is_directory(nested, ec) ? nested.string() : data_dir;
}

} // namespace

CLI::App& add_cluster_digest_command(CLI::App& app) {
  auto existing = app.get_subcommands([](CLI::App* c) { return c->get_name() == "cluster"; });
  auto* cluster = existing.empty() ? nullptr : existing.front();
  if (cluster == nullptr) {
    cluster = app.add_subcommand("cluster", "Cluster mode: inspect nodes (docs/cluster.md)");
    cluster->require_subcommand(1);
  }
  auto f = std::make_shared<digest_flags>();
  auto* digest = cluster->add_subcommand(
      "digest", "Hash a stopped node's store: equal lines mean equal replicas (offline, "
                "read-only)");
  digest->add_option("data_dir", f->data_dir, "The node's --data-dir")->required();
  digest->add_flag("--families", f->families,
                   "Also print each column family's key count and hash (before the line)");
  digest->callback([f] {
    auto dir = store_dir(f->data_dir);
    if (!std::filesystem::exists(dir))
      throw cli_error("no data directory at " + dir);
    auto d = storage::digest_store(dir);
    if (!d)
      throw cli_error(d.error().message);
    if (f->families)
      for (const auto& fam : d->families)
        std::cout << "family " << fam.name << " keys " << fam.keys << " digest " << fam.sha256
                  << "\n";
    std::cout << "applied " << d->applied_index << " digest " << d->sha256 << "\n";
  });
  return *cluster;
}

} // namespace sluice::cli
