#include "actors/queue/message_rules.hpp"

#include "actors/queue/shard_dedup.hpp"

namespace sluice {

std::string check_delay(const char* field, const caf::optional<int64_t>& delay) {
  if (!delay || (*delay >= 0 && *delay <= max_delay_s))
    return {};
  return std::string{field} + " must be between 0 and " + std::to_string(max_delay_s)
         + " seconds, got " + std::to_string(*delay);
}

int64_t effective_delay(const outgoing_message& m, const caf::optional<int64_t>& batch_delay,
                        uint32_t queue_delay) {
  if (m.delay_seconds)
    return *m.delay_seconds;
  if (batch_delay)
    return *batch_delay;
  return queue_delay;
}

std::string to_append_items(send_messages& req, uint32_t queue_delay, int64_t now_ms,
                            std::vector<append_item>& out) {
  if (auto err = check_delay("delay_seconds", req.delay_seconds); !err.empty())
    return err;
  std::vector<append_item> items;
  items.reserve(req.messages.size());
  for (size_t i = 0; i < req.messages.size(); ++i) {
    auto& m = req.messages[i];
    auto field = req.messages.size() == 1 ? std::string{"delay_seconds"}
                                          : "messages[" + std::to_string(i) + "].delay_seconds";
    if (auto err = check_delay(field.c_str(), m.delay_seconds); !err.empty())
      return err;
    if (!m.dedup_id.empty())
      if (auto err = check_dedup_id(req.messages.size() == 1
                                        ? std::string{"dedup_id"}
                                        : "messages[" + std::to_string(i) + "].dedup_id",
                                    m.dedup_id);
          !err.empty())
        return err;
    auto delay = effective_delay(m, req.delay_seconds, queue_delay);
    items.push_back({std::move(m.body), m.type, now_ms + delay * 1000, now_ms});
    items.back().dedup_id = std::move(m.dedup_id);
  }
  out = std::move(items);
  return {};
}

std::string resolve_pull(const pull_messages& req, int64_t& batch_size, int64_t& visibility_ms,
                         int64_t& wait_ms) {
  batch_size = req.batch_size ? *req.batch_size : default_pull_batch;
  visibility_ms = req.visibility_timeout_ms ? *req.visibility_timeout_ms : default_visibility_ms;
  wait_ms = req.wait_time_ms ? *req.wait_time_ms : 0;
  if (wait_ms < 0 || wait_ms > max_pull_wait_ms)
    return "wait_time_ms must be between 0 and " + std::to_string(max_pull_wait_ms)
           + " (20 s), got " + std::to_string(wait_ms);
  if (batch_size < 1 || batch_size > max_pull_batch)
    return "batch_size must be between 1 and " + std::to_string(max_pull_batch) + ", got "
           + std::to_string(batch_size);
  if (visibility_ms < 1 || visibility_ms > max_visibility_ms)
    return "visibility_timeout_ms must be between 1 and " + std::to_string(max_visibility_ms)
           + ", got " + std::to_string(visibility_ms);
  return {};
}

} // namespace sluice
