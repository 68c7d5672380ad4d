#include "actors/queue/lease.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "actors/control/crypto.hpp"
#include "storage/codec.hpp"

namespace sluice {

namespace {

constexpr size_t mac_bytes = 16;
constexpr size_t payload_bytes = 2 + 8 + 4;

} // namespace

std::string lease_codec::mac(std::string_view queue_id, std::string_view payload) const {
  std::string data{queue_id};
  data.append(payload.data(), payload.size());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
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
