#include <catch2/catch.hpp>

#include <string>

#include "storage/rocksdb/insert_hint.hpp"
#include "storage/rocksdb/message_codec.hpp"

using namespace sluice::storage;

namespace {

const std::string queue = "0123456789abcdef0123456789abcdef";

} // namespace

TEST_CASE("a range deletion's begin moves just below the message key it names") {
  for (uint64_t seq : {1ull, 7ull, 256ull, 1ull << 40}) {
    auto begin = range_begin_outside_hint(message_key(queue, 3, seq));
    CHECK(begin.size() == message_key_bytes + 1);
    CHECK(message_key(queue, 3, seq - 1) < begin); // the key below stays
    CHECK(begin < message_key(queue, 3, seq));     // the named key is deleted
  }
  // Seq 0: below it only the previous shard's last possible key.
  auto zero = range_begin_outside_hint(message_key(queue, 3, 0));
  CHECK(message_key(queue, 2, UINT64_MAX) < zero);
  CHECK(zero < message_key(queue, 3, 0));
}

TEST_CASE("a range begin outside the hint domain is kept, and all-zero keys have nothing below") {
  auto prefix = shard_prefix(queue, 1);
  CHECK(range_begin_outside_hint(prefix) == prefix);
  CHECK(range_begin_outside_hint("") == "");
  std::string zeros(message_key_bytes, '\0');
  auto begin = range_begin_outside_hint(zeros);
  CHECK(begin.size() < message_key_bytes);
  CHECK(begin < zeros);
}
