#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "storage/replicated/command_codec.hpp"
#include "storage/replicated/store_machine.hpp"
#include "storage/rocksdb/rocksdb_backend.hpp"

// Small helpers for the replicated store's unit tests over real (inline)
// RocksDB stores: open a store, apply entries of appends, read a shard back.

namespace sluice::storage::test_replica {

inline const std::string queue_id = "0123456789abcdef0123456789abcdef";

/// Opens the store in `dir` with inline I/O (every call on this thread).
inline std::unique_ptr<rocksdb_backend> open_store(const std::string& dir) {
  store_error err;
  auto b = rocksdb_backend::open(dir, rocksdb_backend::mode::inline_io, err);
  if (!b)
    FAIL("cannot open the store: " << err.message);
  return b;
}

/// The entry creating the test queue.
inline std::string create_queue() {
  queue_record q;
  q.account = "acct";
  q.id = queue_id;
  q.name = "orders";
  meta_change c;
  c.put_queues = {q};
  return encode_command({{}, 0, c});
}

/// An append of message `seq` with a body of `size` bytes.
inline std::string append(uint64_t seq, size_t size = 64) {
  append_messages a;
  stored_message m;
  m.body = "body " + std::to_string(seq) + std::string(size, 'x');
  a.messages.push_back({seq, m, 0});
  return encode_command({queue_id, 0, a});
}

/// Applies the entries `first..last` (index = seq), the first creating the
/// queue, each appending one message.
inline void apply_appends(store_machine& m, uint64_t first, uint64_t last, size_t size = 64) {
  for (uint64_t i = first; i <= last; ++i) {
    std::vector<std::string> commands;
    if (i == 1)
      commands.push_back(create_queue());
    commands.push_back(append(i, size));
    std::vector<std::string_view> views(commands.begin(), commands.end());
    m.apply(i, views);
  }
}

/// The sequence numbers of the messages in shard 0 of the test queue.
inline std::string shard_seqs(rocksdb_backend& b) {
  std::ostringstream out;
  bool done = false;
  b.messages(queue_id, 0)->recover({100000}, [&](expected<shard_recovery> r) {
    REQUIRE(r);
    for (const auto& m : r->loaded)
      out << m.seq << ' ';
    done = true;
  });
  REQUIRE(done);
  return out.str();
}

/// "1 2 … n " as `shard_seqs` prints it.
inline std::string seqs_up_to(uint64_t n) {
  std::ostringstream out;
  for (uint64_t i = 1; i <= n; ++i)
    out << i << ' ';
  return out.str();
}

} // namespace sluice::storage::test_replica
