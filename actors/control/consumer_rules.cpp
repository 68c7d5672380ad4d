#include "actors/control/consumer_rules.hpp"

#include "actors/control/queue_rules.hpp"

namespace sluice {

namespace {

/// Sets `out` from `value` if present and within [lo, hi].
std::string take(const char* field, const caf::optional<int64_t>& value, int64_t lo, int64_t hi,
                 uint32_t& out) {
  if (!value)
    return {};
  if (*value < lo || *value > hi)
    return "settings." + std::string{field} + " must be between " + std::to_string(lo) + " and "
           + std::to_string(hi) + ", got " + std::to_string(*value);
  out = static_cast<uint32_t>(*value);
  return {};
}

storage::consumer_record defaults(storage::consumer_type type) {
  storage::consumer_record d;
  d.type = type;
  d.batch_size = type == storage::consumer_type::worker ? 10 : 5;
  return d;
}

} // namespace

std::string apply_consumer(const consumer_patch& patch, bool replace,
                           storage::consumer_record& rec) {
  using storage::consumer_type;
  auto next = rec;
  auto requested = consumer_type::worker; // a body naming a script, as upstream infers it
  if (patch.type && !storage::parse_consumer_type(*patch.type, requested))
    return "type must be worker or http_pull, got '" + *patch.type + "'";
  if (next.type == consumer_type::none) {
    if (!patch.type && !patch.script_name)
      return "type is required: worker (with script_name) or http_pull";
    next.type = requested;
  } else if (patch.type && requested != next.type) {
    return "type cannot be changed from " + std::string{storage::consumer_type_name(next.type)}
           + "; remove the consumer and add a new one";
  }
  if (replace || rec.type == consumer_type::none) {
    auto d = defaults(next.type);
    d.id = rec.id;
    d.created_ms = rec.created_ms;
    d.script_name = rec.script_name;
    d.slot = rec.slot;
    next = d;
  }
  if (next.type == consumer_type::worker) {
    if (patch.script_name)
      next.script_name = *patch.script_name;
    if (next.script_name.empty())
      return "script_name is required for a worker consumer: the script (sluice scripts deploy) "
             "that receives the batches";
  }
  if (patch.dead_letter_queue) {
    next.dead_letter_queue = *patch.dead_letter_queue;
    if (!next.dead_letter_queue.empty())
      if (auto err = check_queue_name(next.dead_letter_queue); !err.empty())
        return "dead_letter_queue: " + err;
  }
  std::string err;
  if (err.empty())
    err = take("batch_size", patch.batch_size, 1, 100, next.batch_size);
  if (err.empty())
    err = take("max_retries", patch.max_retries, 0, 100, next.max_retries);
  if (err.empty())
    err = take("retry_delay", patch.retry_delay, 0, max_delivery_delay_s, next.retry_delay);
  // Settings of the other consumer type are accepted and ignored, as
  // upstream does (wrangler sends what it has).
  if (err.empty() && next.type == consumer_type::http_pull)
    err = take("visibility_timeout_ms", patch.visibility_timeout_ms, 1, 43200000,
               next.visibility_timeout_ms);
  if (err.empty() && next.type == consumer_type::worker)
    err = take("max_wait_time_ms", patch.max_wait_time_ms, 0, 60000, next.max_wait_time_ms);
  if (err.empty() && next.type == consumer_type::worker)
    err = take("max_concurrency", patch.max_concurrency, 1, 250, next.max_concurrency);
  if (!err.empty())
    return err;
  rec = next;
  return {};
}

} // namespace sluice
