#include "actors/queue/shard_dedup.hpp"

#include <algorithm>
#include <unordered_map>

namespace sluice {

uint16_t dedup_shard(const std::string& dedup_id, size_t shards) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : dedup_id) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return shards == 0 ? 0 : static_cast<uint16_t>(h % shards);
}

std::string check_dedup_id(const std::string& field, std::string_view id) {
  auto rule =
      field + " must be 1-" + std::to_string(max_dedup_id_bytes) + " printable ASCII characters";
  if (id.empty() || id.size() > max_dedup_id_bytes)
    return rule + ", got " + std::to_string(id.size()) + " characters";
  for (unsigned char c : id)
    if (c < 0x20 || c > 0x7E)
      return rule + ", got a byte 0x" + "0123456789abcdef"[c >> 4] + "0123456789abcdef"[c & 15];
  return {};
}

void dedup_written(shard_dedup& d, int64_t expires_ms) {
  d.sweep_at = std::min(d.sweep_at, expires_ms);
  d.written_since_sweep = std::min(d.written_since_sweep, expires_ms);
}

bool wants_dedup(const shard_append& req) {
  if (req.dedup_window_ms <= 0)
    return false;
  for (const auto& item : req.items)
    if (!item.dedup_id.empty())
      return true;
  return false;
}

dedup_plan plan_dedup(std::vector<append_item>& items,
                      const std::vector<storage::dedup_hit>& hits) {
  std::unordered_map<std::string, std::string> found;
  for (const auto& h : hits)
    found.emplace(h.dedup_id, h.message_id);
  std::unordered_map<std::string, size_t> first; // dedup id → item storing it
  dedup_plan p;
  p.ids.resize(items.size());
  p.same_as.assign(items.size(), -1);
  for (size_t i = 0; i < items.size(); ++i) {
    auto& item = items[i];
    if (!item.dedup_id.empty()) {
      if (auto f = found.find(item.dedup_id); f != found.end()) {
        p.ids[i] = f->second;
        continue;
      }
      auto [at, fresh] = first.emplace(item.dedup_id, i);
      if (!fresh) {
        p.same_as[i] = static_cast<int64_t>(at->second);
        continue;
      }
    }
    p.stored_at.push_back(i);
    p.store.push_back(std::move(item));
  }
  return p;
}

std::vector<std::string> answer_ids(dedup_plan& plan, std::vector<std::string> stored_ids) {
  for (size_t k = 0; k < plan.stored_at.size() && k < stored_ids.size(); ++k)
    plan.ids[plan.stored_at[k]] = std::move(stored_ids[k]);
  for (size_t i = 0; i < plan.ids.size(); ++i)
    if (plan.same_as[i] >= 0)
      plan.ids[i] = plan.ids[static_cast<size_t>(plan.same_as[i])];
  return std::move(plan.ids);
}

} // namespace sluice
