#include "actors/control/audit_details.hpp"

#include <algorithm>

namespace sluice {

namespace {

std::string flag(bool b) {
  return b ? "true" : "false";
}

template <class Range, class Name>
std::string joined(const Range& items, Name name) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty())
      out += ',';
    out += name(i);
  }
  return out;
}

} // namespace

audit_details details_of(const storage::queue_settings& s) {
  audit_details out{{"delivery_delay", std::to_string(s.delivery_delay)},
                    {"message_retention_period", std::to_string(s.message_retention_period)},
                    {"delivery_paused", flag(s.delivery_paused)},
                    {"dedup_window_seconds", std::to_string(s.dedup_window_seconds)}};
  // Only a fan-out queue names its mode: entries of single-consumer queues
  // stay as they were before fan-out existed.
  if (s.mode != storage::consumer_mode::single)
    out.emplace_back("consumer_mode", std::string{storage::consumer_mode_name(s.mode)});
  return out;
}

audit_details details_of(const storage::consumer_record& c) {
  audit_details out{{"type", std::string{storage::consumer_type_name(c.type)}}};
  if (c.type == storage::consumer_type::worker)
    out.emplace_back("script_name", c.script_name);
  out.emplace_back("dead_letter_queue", c.dead_letter_queue);
  out.emplace_back("batch_size", std::to_string(c.batch_size));
  out.emplace_back("max_retries", std::to_string(c.max_retries));
  out.emplace_back("retry_delay", std::to_string(c.retry_delay));
  if (c.type == storage::consumer_type::worker) {
    out.emplace_back("max_wait_time_ms", std::to_string(c.max_wait_time_ms));
    out.emplace_back("max_concurrency",
                     c.max_concurrency == 0 ? "auto" : std::to_string(c.max_concurrency));
  } else {
    out.emplace_back("visibility_timeout_ms", std::to_string(c.visibility_timeout_ms));
  }
  return out;
}

audit_details details_of(const storage::subscription_record& s) {
  audit_details out{{"name", s.name}, {"enabled", flag(s.enabled)}, {"source", s.source_type}};
  for (const auto& [k, v] : s.source_fields)
    out.emplace_back("source_" + k, v);
  out.emplace_back("events", joined(s.events, [](const std::string& e) { return e; }));
  out.emplace_back("destination_queue_id", s.queue_id);
  return out;
}

audit_details details_of(const storage::token_record& t) {
  std::vector<std::string_view> perms;
  for (const auto& p : storage::permission_names)
    if ((t.permissions & p.bit) != 0)
      perms.push_back(p.name);
  return {{"name", t.name},
          {"permissions", joined(perms, [](std::string_view p) { return std::string{p}; })},
          {"all_accounts", flag(t.account == storage::all_accounts)}};
}

audit_details details_of(const storage::script_record& s) {
  return {{"plugin", s.plugin},
          {"env_names", joined(s.env, [](const auto& kv) { return kv.first; })}};
}

void mark_changed(const audit_details& before, audit_details& after) {
  std::string changed;
  for (const auto& [k, v] : after) {
    auto old = std::find_if(before.begin(), before.end(),
                            [&key = k](const auto& kv) { return kv.first == key; });
    if (old != before.end() && old->second == v)
      continue;
    if (!changed.empty())
      changed += ',';
    changed += k;
  }
  if (!changed.empty())
    after.emplace_back("changed", std::move(changed));
}

void mark_changed(const storage::script_record& before, const storage::script_record& after,
                  audit_details& details) {
  // Both env lists are sorted by name (the hub sorts them before storing).
  std::vector<std::string> names;
  auto b = before.env.begin();
  auto a = after.env.begin();
  while (b != before.env.end() || a != after.env.end()) {
    if (a == after.env.end() || (b != before.env.end() && b->first < a->first)) {
      names.push_back((b++)->first);
    } else if (b == before.env.end() || a->first < b->first) {
      names.push_back((a++)->first);
    } else {
      if (a->second != b->second)
        names.push_back(a->first);
      ++a;
      ++b;
    }
  }
  mark_changed(details_of(before), details);
  if (!names.empty())
    details.emplace_back("env_changed", joined(names, [](const std::string& n) { return n; }));
}

} // namespace sluice
