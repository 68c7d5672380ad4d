#pragma once

#include <string>

#include "actors/event_messages.hpp"
#include "events/catalog.hpp"
#include "storage/records.hpp"

namespace sluice {

/// Applies `patch` to `r` (create: `r` is empty and `creating` is true) and
/// checks the result against the catalog (docs/events.md): a known source, a
/// non-empty list of its events, the source's required fields (e.g.
/// `model_name`). Keeps only the source fields the catalog names. Returns ""
/// or a message naming the field, e.g. "source.model_name is required for
/// source 'workersAi.model'".
std::string apply_subscription(const events::catalog& c, const subscription_patch& patch,
                               bool creating, storage::subscription_record& r);

/// "" if `fields` sets every field `src` requires (e.g. `model_name`), else
/// the message naming the first missing one. Subscriptions and published
/// events both need them.
std::string missing_source_field(const events::source_type& src, const source_fields& fields);

/// True if `sub` (enabled) takes `e`: same source type and account's event
/// list names the event, and every source field of `sub` has the same value
/// in the event's source.
bool matches(const storage::subscription_record& sub, const published_event& e);

} // namespace sluice
