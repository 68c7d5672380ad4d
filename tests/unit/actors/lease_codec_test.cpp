#include <catch2/catch.hpp>

#include <string>
#include <thread>

#include <openssl/hmac.h>

#include "actors/control/crypto.hpp"
#include "actors/queue/lease.hpp"
#include "storage/codec.hpp"

using namespace sluice;

namespace {

/// The message id as the codec made it before it kept keyed contexts: one-shot
/// HMAC-SHA256 of queue id + payload. Ids are public and long-lived, so the
/// codec must keep producing exactly these.
std::string one_shot_message_id(const std::string& secret, const std::string& queue_id,
                                uint16_t shard, uint64_t seq) {
  auto payload = storage::encoder{}.u16(shard).u64(seq).take();
  auto data = queue_id + payload;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
  return hex_encode(payload + std::string(reinterpret_cast<char*>(md), 6));
}

} // namespace

TEST_CASE("lease codec: ids equal one-shot HMAC-SHA256, for several secrets on one thread") {
  lease_codec a{"secret-a"};
  lease_codec b{"another, longer secret for b"};
  for (uint64_t seq : {0ull, 1ull, 77ull, 1ull << 40}) {
    CHECK(a.message_id("q1", 3, seq) == one_shot_message_id("secret-a", "q1", 3, seq));
    CHECK(b.message_id("q1", 3, seq)
          == one_shot_message_id("another, longer secret for b", "q1", 3, seq));
  }
  CHECK(a.message_id("q1", 3, 5) != b.message_id("q1", 3, 5));
}

TEST_CASE("lease codec: a lease id decodes on another thread and only for its queue and secret") {
  lease_codec codec{"secret"};
  auto id = codec.encode("queue", lease_target{2, 99, 4});
  lease_target out;
  bool decoded = false;
  std::thread other{[&] { decoded = codec.decode("queue", id, out); }};
  other.join();
  REQUIRE(decoded);
  CHECK(out.shard == 2);
  CHECK(out.seq == 99);
  CHECK(out.gen == 4);
  CHECK_FALSE(codec.decode("other-queue", id, out));
  CHECK_FALSE(lease_codec{"other secret"}.decode("queue", id, out));
  CHECK(codec.decode("queue", id, out)); // the other secret's context did not stick
}
