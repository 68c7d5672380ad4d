#include "actors/queue/lease.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "actors/control/crypto.hpp"
#include "storage/codec.hpp"

namespace sluice {

namespace {

constexpr size_t mac_bytes = 16;
constexpr size_t payload_bytes = 2 + 8 + 4;

struct mac_ctx_free {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

/// This thread's HMAC-SHA256 context, keyed with `secret` and ready for
/// input. The one-shot `HMAC()` of OpenSSL 3 fetches the algorithm (under a
/// lock), allocates a context and derives the key's pads on every call; ids
/// are made and checked several times per message, so each thread keeps one
/// keyed context and only re-initialises it (the key's pads are kept).
EVP_MAC_CTX* keyed_hmac(const std::string& secret) {
  struct keyed {
    std::string secret;
    std::unique_ptr<EVP_MAC_CTX, mac_ctx_free> ctx;
  };
  thread_local keyed mine;
  if (mine.ctx && mine.secret == secret) {
    if (EVP_MAC_init(mine.ctx.get(), nullptr, 0, nullptr) != 1)
      throw std::runtime_error("OpenSSL: re-initialising HMAC-SHA256 failed");
    return mine.ctx.get();
  }
  std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)> hmac{EVP_MAC_fetch(nullptr, "HMAC", nullptr),
                                                         &EVP_MAC_free};
  std::unique_ptr<EVP_MAC_CTX, mac_ctx_free> ctx{hmac ? EVP_MAC_CTX_new(hmac.get()) : nullptr};
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  const auto* key = reinterpret_cast<const unsigned char*>(secret.data());
  if (!ctx || EVP_MAC_init(ctx.get(), key, secret.size(), params) != 1)
    throw std::runtime_error("OpenSSL: HMAC-SHA256 is not available");
  mine.secret = secret;
  mine.ctx = std::move(ctx);
  return mine.ctx.get();
}

} // namespace

std::string lease_codec::mac(std::string_view queue_id, std::string_view payload) const {
  auto* ctx = keyed_hmac(secret_);
  unsigned char md[EVP_MAX_MD_SIZE];
  size_t len = 0;
  auto update = [ctx](std::string_view bytes) {
    return EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size())
           == 1;
  };
  if (!update(queue_id) || !update(payload) || EVP_MAC_final(ctx, md, &len, sizeof md) != 1
      || len < mac_bytes)
    throw std::runtime_error("OpenSSL: HMAC-SHA256 failed");
  return std::string(reinterpret_cast<char*>(md), mac_bytes);
}

std::string lease_codec::encode(std::string_view queue_id, const lease_target& t) const {
  auto payload = storage::encoder{}.u16(t.shard).u64(t.seq).u32(t.gen).take();
  return base64url_encode(payload + mac(queue_id, payload));
}

bool lease_codec::decode(std::string_view queue_id, std::string_view id, lease_target& out) const {
  std::string raw;
  if (id.size() > 64 || !base64url_decode(id, raw) || raw.size() != payload_bytes + mac_bytes)
    return false;
  std::string_view payload{raw.data(), payload_bytes};
  auto expected = mac(queue_id, payload);
  if (CRYPTO_memcmp(expected.data(), raw.data() + payload_bytes, mac_bytes) != 0)
    return false;
  storage::decoder in{payload};
  out.shard = in.u16();
  out.seq = in.u64();
  out.gen = in.u32();
  return in.ok();
}

std::string lease_codec::message_id(std::string_view queue_id, uint16_t shard, uint64_t seq) const {
  auto payload = storage::encoder{}.u16(shard).u64(seq).take();
  return hex_encode(payload + mac(queue_id, payload).substr(0, 6));
}

} // namespace sluice
