#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "replica_helpers.hpp"
#include "storage/replicated/checkpoint_fetch.hpp"
#include "storage/replicated/local_checkpoint_source.hpp"
#include "temp_dir.hpp"

// The sending side of checkpoint catch-up over a real RocksDB store:
// checkpoints, their manifests, chunked reads, retention (with an injected
// clock), and the receiving side's chunked fetch.

namespace sluice::storage {

namespace fs = std::filesystem;
using namespace test_replica;

namespace {

std::string file_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A clock tests move by hand.
struct manual_clock {
  std::chrono::steady_clock::time_point t{};
  checkpoint_retention retention(size_t keep = 2) {
    checkpoint_retention r;
    r.keep = keep;
    r.max_age = std::chrono::seconds{600};
    r.reuse_for = std::chrono::seconds{30};
    r.now = [this] { return t; };
    return r;
  }
};

} // namespace

TEST_CASE("a checkpoint lists every file with its size and reads back in chunks") {
  test::temp_dir dir;
  auto store = open_store(dir.path() + "/store");
  store_machine machine{*store, 0};
  apply_appends(machine, 1, 20, 5000);
  manual_clock clock;
  auto root = local_checkpoint_source::default_root(dir.path() + "/store/");
  CHECK(root == dir.path() + "/store.checkpoints");
  local_checkpoint_source source{*store, root, clock.retention()};

  auto m = source.prepare(20);
  REQUIRE(m);
  CHECK(m->applied_index == 20);
  CHECK(m->id == "20-1");
  REQUIRE_FALSE(m->files.empty());
  bool has_current = false;
  for (const auto& f : m->files) {
    auto on_disk = fs::path(root) / m->id / f.name;
    CHECK(fs::file_size(on_disk) == f.size);
    has_current = has_current || f.name == "CURRENT";
    // Reassembled from 1000-byte chunks, the file is the same bytes.
    std::string whole;
    for (uint64_t off = 0;;) {
      auto chunk = source.read_chunk(m->id, f.name, off, 1000);
      REQUIRE(chunk);
      if (chunk->empty())
        break;
      CHECK(chunk->size() <= 1000);
      whole += *chunk;
      off += chunk->size();
    }
    CHECK(whole == file_text(on_disk));
  }
  CHECK(has_current);

  auto past_end = source.read_chunk(m->id, m->files[0].name, m->files[0].size + 10, 1000);
  REQUIRE(past_end);
  CHECK(past_end->empty());
  auto unknown_file = source.read_chunk(m->id, "../store/CURRENT", 0, 1000);
  REQUIRE_FALSE(unknown_file);
  CHECK(unknown_file.error().message.find("has no file named") != std::string::npos);
  auto unknown_checkpoint = source.read_chunk("7-9", "CURRENT", 0, 1000);
  REQUIRE_FALSE(unknown_checkpoint);
  CHECK(unknown_checkpoint.error().message.find("is gone") != std::string::npos);

  SECTION("a node asked for an index it has not applied refuses") {
    auto ahead = source.prepare(21);
    REQUIRE_FALSE(ahead);
    CHECK(ahead.error().message.find("up to index 20 only") != std::string::npos);
  }

  SECTION("a recent checkpoint new enough is handed out again") {
    apply_appends(machine, 21, 22);
    clock.t += std::chrono::seconds{10};
    auto again = source.prepare(20);
    REQUIRE(again);
    CHECK(again->id == "20-1");
    auto newer = source.prepare(22); // not new enough: a fresh one
    REQUIRE(newer);
    CHECK(newer->id == "22-2");
    CHECK(newer->applied_index == 22);
  }

  SECTION("at most `keep` checkpoints exist: the oldest goes first") {
    clock.t += std::chrono::seconds{31};
    apply_appends(machine, 21, 21);
    REQUIRE(source.prepare(21));
    clock.t += std::chrono::seconds{31};
    apply_appends(machine, 22, 22);
    REQUIRE(source.prepare(22));
    CHECK(source.checkpoints() == std::vector<std::string>{"21-2", "22-3"});
    CHECK_FALSE(fs::exists(fs::path(root) / "20-1"));
    auto gone = source.read_chunk("20-1", "CURRENT", 0, 100);
    REQUIRE_FALSE(gone);
    CHECK(gone.error().message.find("prepare a new one") != std::string::npos);
  }

  SECTION("a checkpoint past its age is deleted at the next prepare") {
    clock.t += std::chrono::seconds{601};
    auto fresh = source.prepare(1);
    REQUIRE(fresh);
    CHECK(fresh->id == "20-2");
    CHECK(source.checkpoints() == std::vector<std::string>{"20-2"});
    CHECK_FALSE(fs::exists(fs::path(root) / "20-1"));
  }

  SECTION("checkpoints of an earlier run are deleted, other files are not") {
    fs::create_directories(fs::path(root) / "5-3");
    std::ofstream(fs::path(root) / "notes.txt") << "keep me";
    local_checkpoint_source later{*store, root, clock.retention()};
    CHECK_FALSE(fs::exists(fs::path(root) / "5-3"));
    CHECK(fs::exists(fs::path(root) / "notes.txt"));
    CHECK(later.checkpoints().empty());
  }
}

TEST_CASE("a fetched checkpoint is the source's files, byte for byte, and opens as a store") {
  test::temp_dir dir;
  auto store = open_store(dir.path() + "/leader");
  store_machine machine{*store, 0};
  apply_appends(machine, 1, 30, 3000);
  local_checkpoint_source source{*store, dir.path() + "/checkpoints"};

  auto into = dir.path() + "/copy";
  fs::create_directories(into);
  std::ofstream(into + "/stale") << "left over from a fetch cut short";
  auto m = fetch_checkpoint(source, 25, into, 4096);
  REQUIRE(m);
  CHECK(m->applied_index == 30);
  CHECK_FALSE(fs::exists(into + "/stale"));
  for (const auto& f : m->files)
    CHECK(file_text(fs::path(into) / f.name)
          == file_text(fs::path(dir.path()) / "checkpoints" / m->id / f.name));
  auto copy = open_store(into);
  CHECK(*copy->applied_index() == 30);
  CHECK(shard_seqs(*copy) == seqs_up_to(30));
}

} // namespace sluice::storage
