#include "storage/rocksdb/dedup_index.hpp"

#include "storage/codec.hpp"
#include "storage/rocksdb/message_codec.hpp"

namespace sluice::storage {

namespace {

constexpr uint8_t by_id = 0x01;
constexpr uint8_t by_expiry = 0x02;

std::string id_prefix(std::string_view queue_id, uint16_t shard, std::string_view dedup_id) {
  // Ids are at most 128 bytes (docs/api.md), so one length byte suffices.
  auto n = std::min<size_t>(dedup_id.size(), 255);
  return encoder{}
      .raw(shard_prefix(queue_id, shard))
      .u8(by_id)
      .u8(static_cast<uint8_t>(n))
      .raw(dedup_id.substr(0, n))
      .take();
}

std::string expiry_prefix(std::string_view queue_id, uint16_t shard) {
  return encoder{}.raw(shard_prefix(queue_id, shard)).u8(by_expiry).take();
}

/// The expiry in the last 8 bytes of a by-id key, or the first 8 after
/// `skip` bytes of a by-expiry key.
int64_t expiry_at(std::string_view key, size_t at) {
  if (key.size() < at + 8)
    return 0;
  decoder in{key.substr(at, 8)};
  return in.i64();
}

} // namespace

void put_dedup(batch& b, std::string_view queue_id, uint16_t shard, const dedup_entry& e) {
  auto exp = static_cast<uint64_t>(std::max<int64_t>(0, e.expires_ms));
  b.put(family::dedup, encoder{}.raw(id_prefix(queue_id, shard, e.dedup_id)).u64(exp).take(),
        e.message_id);
  b.put(family::dedup,
        encoder{}.raw(expiry_prefix(queue_id, shard)).u64(exp).raw(e.dedup_id).take(), {});
}

status load_dedup_hits(db& d, std::string_view queue_id, uint16_t shard, const find_dedup& cmd,
                       std::vector<dedup_hit>& out) {
  for (const auto& id : cmd.ids) {
    auto prefix = id_prefix(queue_id, shard, id);
    dedup_hit hit;
    int64_t best = 0;
    auto st = d.scan_prefix(family::dedup, prefix, [&](std::string_view key, std::string_view v) {
      // Older entries of this id may wait for their sweep: the newest counts.
      auto exp = expiry_at(key, prefix.size());
      if (key.size() == prefix.size() + 8 && exp > cmd.now_ms && exp > best) {
        best = exp;
        hit.message_id = std::string{v};
      }
      return true;
    });
    if (!st.ok())
      return st;
    if (best > 0) {
      hit.dedup_id = id;
      out.push_back(std::move(hit));
    }
  }
  return {};
}

status load_expired_dedup_keys(db& d, std::string_view queue_id, uint16_t shard,
                               const expire_dedup& cmd, std::vector<dedup_key>& out,
                               int64_t& next_expiry_ms) {
  auto prefix = expiry_prefix(queue_id, shard);
  next_expiry_ms = 0;
  return d.scan_prefix(family::dedup, prefix, [&](std::string_view key, std::string_view) {
    auto exp = expiry_at(key, prefix.size());
    if (exp > cmd.now_ms || out.size() >= cmd.limit) {
      next_expiry_ms = exp;
      return false;
    }
    out.push_back({std::string{key.substr(std::min(key.size(), prefix.size() + 8))}, exp});
    return true;
  });
}

void erase_dedup_entry(batch& b, std::string_view queue_id, uint16_t shard, const dedup_key& k) {
  auto exp = static_cast<uint64_t>(std::max<int64_t>(0, k.expires_ms));
  b.erase(family::dedup, encoder{}.raw(id_prefix(queue_id, shard, k.dedup_id)).u64(exp).take());
  b.erase(family::dedup,
          encoder{}.raw(expiry_prefix(queue_id, shard)).u64(exp).raw(k.dedup_id).take());
}

status load_expired_dedup(db& d, std::string_view queue_id, uint16_t shard, const expire_dedup& cmd,
                          batch& b, dedup_expiry& out) {
  std::vector<dedup_key> keys;
  out = {};
  auto st = load_expired_dedup_keys(d, queue_id, shard, cmd, keys, out.next_expiry_ms);
  if (!st.ok())
    return st;
  for (const auto& k : keys)
    erase_dedup_entry(b, queue_id, shard, k);
  out.removed = keys.size();
  return st;
}

} // namespace sluice::storage
