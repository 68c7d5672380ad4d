#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice {

/// What a lease id (or a peek ref) names.
struct lease_target {
  uint16_t shard = 0;
  uint64_t seq = 0;
  uint32_t gen = 0;
};

/// The MAC binding of peek refs: refs of a queue are never valid lease ids
/// (and the reverse).
inline std::string ref_binding(std::string_view queue_id) {
  return std::string{queue_id} + "/ref";
}

/// Issues and verifies the opaque ids of docs/api.md (docs/api.md): base64url of
/// (shard, seq, generation, HMAC-SHA256 truncated to 16 bytes) keyed by the
/// data directory's secret and bound to the queue id. Unforgeable, and
/// self-describing: no lookup table. Thread-safe (immutable after creation).
class lease_codec {
public:
  explicit lease_codec(std::string secret) : secret_(std::move(secret)) {}

  std::string encode(std::string_view queue_id, const lease_target& t) const;

  /// False for anything not issued by `encode` for this queue.
  bool decode(std::string_view queue_id, std::string_view id, lease_target& out) const;

  /// The public 32-hex message id of (shard, seq) in a queue.
  std::string message_id(std::string_view queue_id, uint16_t shard, uint64_t seq) const;

private:
  std::string mac(std::string_view queue_id, std::string_view payload) const;

  std::string secret_;
};

} // namespace sluice
