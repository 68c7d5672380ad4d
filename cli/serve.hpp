#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace sluice::cli {

/// Flags of `sluice serve` (docs/auth.md). Every one can also come from the TOML
/// file given with `--config`.
struct serve_options {
  std::string listen = "127.0.0.1:8787";
  std::string data_dir = "./data";
  std::string plugin_dir;
  std::vector<std::string> webhook_allow; ///< networks, addresses, host names
  std::string sink_root;                  ///< empty: <data_dir>/sinks
  bool dev = false;
  unsigned http_threads = 2;
  /// Half the cores, at least one: the HTTP I/O threads and the storage
  /// writer need the other half (docs/benchmarks.md, "CAF scheduler threads").
  unsigned actor_threads = std::max(1u, std::thread::hardware_concurrency() / 2);
  uint64_t max_request_bytes = 1'000'000;
  uint64_t max_inflight_bytes = 8ull << 20;       ///< request bodies held at once
  uint64_t max_queue_inflight_bytes = 4ull << 20; ///< the same, per queue's sends
  uint64_t min_free_bytes = 64ull << 20;          ///< below it, new messages are refused (507)
  unsigned max_connections = 0;                   ///< 0: derived from the descriptor limit
  unsigned header_timeout_s = 10; ///< for a request's headers; also the keep-alive idle time
  unsigned shutdown_grace_s = 10;
  size_t shard_window = 10000;
  unsigned plugin_threads = 8;
  unsigned plugin_timeout_s = 900; ///< wall-clock limit of one push invocation
  std::string log_format = "text"; ///< text or json (cli/logging.hpp)
  std::string log_level = "info";  ///< trace, debug, info, warn, error, off
  std::string tls_cert;            ///< PEM certificate (chain); with `tls_key`: HTTPS only
  std::string tls_key;             ///< PEM private key of `tls_cert`
  /// Cluster mode (docs/cluster.md) when above 0: this node's raft id.
  uint64_t node_id = 0;
  /// HOST:PORT for raft traffic; other nodes forward requests to PORT + 1.
  std::string raft_listen;
  /// "1=HOST:PORT,2=HOST:PORT,…": the first members, bootstrapped into an
  /// empty data directory (the same on every node); empty: wait to be added.
  std::string initial_members;
  /// Raft snapshots after this many applied entries, keeping half of them in
  /// the log; 0: the engine's default. Hidden: tests make a log long enough
  /// for a checkpoint catch-up with small values.
  unsigned raft_snapshot_every = 0;
};

/// Runs the server until SIGINT/SIGTERM. Returns the process exit code.
int serve(const serve_options& opts);

} // namespace sluice::cli
