#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "storage/rocksdb/batch.hpp"
#include "storage/rocksdb/db.hpp"
#include "storage/rocksdb/message_codec.hpp"
#include "storage/rocksdb/recovery.hpp"

// A real fault under the one-scan page-in (recovery.cpp, `attach_states`): the
// state family's table file is corrupted on disk, so its scan fails after the
// message scan succeeded. The read must fail as a whole, not hand out the
// messages with their delivery states missing (attempts would start over).

using namespace sluice::storage;
namespace fs = std::filesystem;

namespace {

const std::string queue = "0123456789abcdef0123456789abcdef";

struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "sluice-recovery-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~temp_dir() { fs::remove_all(path); }
};

std::unique_ptr<db> open_db(const fs::path& dir) {
  status st;
  auto d = db::open(dir.string(), st);
  REQUIRE(st.ok());
  return d;
}

std::string read_file(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The table files of column family `name` (a property RocksDB writes as
/// text into every table file).
std::vector<fs::path> tables_of(const fs::path& dir, const std::string& name) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".sst")
      continue;
    // Keys in the properties block share prefixes: "[rocksdb.]column.family.id",
    // then "name" (the rest of "...family.name") followed by the value.
    auto bytes = read_file(e.path());
    auto at = bytes.find("column.family.id");
    auto found = at == std::string::npos ? at : bytes.find("name" + name, at);
    if (found != std::string::npos && found < at + 64)
      out.push_back(e.path());
  }
  return out;
}

/// Three messages in shard 0, the second leased twice, all flushed to table files.
void write_flushed(const fs::path& dir) {
  auto d = open_db(dir);
  batch b;
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    stored_message m;
    m.timestamp_ms = 1000;
    m.type = content_type::text;
    m.body = "body " + std::to_string(seq);
    b.put(family::messages, message_key(queue, 0, seq), encode(m));
  }
  b.put(family::state, message_key(queue, 0, 2), encode(delivery_state{2, 5000, false}));
  REQUIRE(d->write(b, true).ok());
  REQUIRE(d->reclaim_space().ok()); // flushes every family's memtable
}

void corrupt_first_block(const fs::path& table) {
  std::fstream f{table, std::ios::binary | std::ios::in | std::ios::out};
  f.seekp(8);
  f.write("\xde\xad\xbe\xef\xde\xad\xbe\xef", 8);
}

} // namespace

TEST_CASE("a page-in reads each message's delivery state with it") {
  temp_dir dir;
  write_flushed(dir.path);
  auto d = open_db(dir.path);
  std::vector<recovered_message> out;
  REQUIRE(load_page(*d, queue, 0, 1, 4, 10, db::range_deletions::apply, out).ok());
  REQUIRE(out.size() == 3);
  CHECK(out[0].state.attempts == 0);
  CHECK(out[1].state.attempts == 2);
  CHECK(out[1].state.visible_at_ms == 5000);
  CHECK(out[2].state.attempts == 0);
}

TEST_CASE("a page-in and a recovery whose state scan fails return the error, not stateless "
          "messages") {
  temp_dir dir;
  write_flushed(dir.path);
  auto state_tables = tables_of(dir.path, "state");
  REQUIRE(state_tables.size() == 1);
  REQUIRE(tables_of(dir.path, "messages").size() == 1);
  corrupt_first_block(state_tables.front());
  auto d = open_db(dir.path); // a fresh instance: nothing of the table is cached

  std::vector<recovered_message> page;
  auto paged = load_page(*d, queue, 0, 1, 4, 10, db::range_deletions::apply, page);
  CHECK_FALSE(paged.ok());
  CHECK(paged.message().find("scan failed") != std::string::npos);

  shard_recovery shard;
  auto recovered = load_shard(*d, queue, 0, 10, shard);
  CHECK_FALSE(recovered.ok());
  CHECK(recovered.message().find("scan failed") != std::string::npos);
}
