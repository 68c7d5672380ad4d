#include "actors/control/subscription_rules.hpp"

#include <algorithm>

namespace sluice {

namespace {

const std::string* field_of(const source_fields& fields, const std::string& key) {
  for (const auto& [k, v] : fields)
    if (k == key)
      return &v;
  return nullptr;
}

} // namespace

std::string missing_source_field(const events::source_type& src, const source_fields& fields) {
  for (const auto& f : src.filters) {
    const auto* v = field_of(fields, f);
    if (v == nullptr || v->empty())
      return "source." + f + " is required for source '" + src.type + "'";
  }
  return {};
}

std::string apply_subscription(const events::catalog& c, const subscription_patch& patch,
                               bool creating, storage::subscription_record& r) {
  if (patch.name)
    r.name = *patch.name;
  if (patch.enabled)
    r.enabled = *patch.enabled;
  if (patch.events)
    r.events = *patch.events;
  if (patch.queue_id)
    r.queue_id = *patch.queue_id;
  if (creating && !patch.source_type)
    return "source.type is required";
  if (creating && r.queue_id.empty())
    return "destination.queue_id is required";
  if (creating && !patch.events)
    return "events is required: a list of event types of the source";
  if (r.name.size() > max_name_bytes)
    return "name must be at most " + std::to_string(max_name_bytes) + " bytes, got "
           + std::to_string(r.name.size());
  const events::source_type* src = nullptr;
  if (patch.source_type) {
    src = c.find_source(*patch.source_type);
    if (src == nullptr) {
      std::string known;
      for (const auto& s : c.sources())
        known += (known.empty() ? "" : ", ") + s.type;
      return "source.type '" + *patch.source_type + "' is not a known source (" + known + ")";
    }
    if (auto err = missing_source_field(*src, patch.fields); !err.empty())
      return err;
    r.source_type = src->type;
    r.source_fields.clear();
    for (const auto& f : src->filters) {
      auto value = *field_of(patch.fields, f);
      if (value.size() > max_name_bytes)
        return "source." + f + " must be at most " + std::to_string(max_name_bytes) + " bytes, got "
               + std::to_string(value.size());
      r.source_fields.emplace_back(f, std::move(value));
    }
  } else {
    src = c.find_source(r.source_type);
  }
  if (src == nullptr)
    return "source.type '" + r.source_type + "' is not a known source";
  if (r.events.empty())
    return "events must name at least one event type";
  for (size_t i = 0; i < r.events.size(); ++i)
    if (c.find_event(src->type, r.events[i]) == nullptr) {
      std::string known;
      for (const auto& e : src->events)
        known += (known.empty() ? "" : ", ") + e.name;
      return "events[" + std::to_string(i) + "]: '" + r.events[i] + "' is not an event of source '"
             + src->type + "' (" + known + ")";
    }
  return {};
}

bool matches(const storage::subscription_record& sub, const published_event& e) {
  if (!sub.enabled || sub.source_type != e.source_type)
    return false;
  if (std::find(sub.events.begin(), sub.events.end(), e.event) == sub.events.end())
    return false;
  for (const auto& [k, v] : sub.source_fields) {
    const auto* got = field_of(e.fields, k);
    if (got == nullptr || *got != v)
      return false;
  }
  return true;
}

} // namespace sluice
