#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include <simdjson.h>

#include "actors/interfaces.hpp"
#include "events/catalog.hpp"
#include "metrics/registry.hpp"

namespace sluice {

/// A subscription as the router routes by it, with its actor.
struct routed_subscription {
  storage::subscription_record record;
  subscription_actor actor;
};

struct event_router_state {
  static inline const char* name = "sluice.event_router";

  const events::catalog* catalog = nullptr;
  simdjson::dom::parser parser; ///< reused for every payload (a parser allocates)
  std::function<int64_t()> now_ms;
  metrics::registry* metrics = nullptr; ///< events counters (none in some unit tests)
  /// account → its subscriptions (few per account: matched by a scan).
  std::unordered_map<std::string, std::vector<routed_subscription>> by_account;
};

/// The event router (docs/architecture.md, docs/events.md): validates, stamps (id, time, schema
/// version) and fans out published events; owns the subscription actors,
/// which it spawns, updates and stops as the hub reports changes.
event_router_actor::behavior_type
event_router(event_router_actor::stateful_pointer<event_router_state> self,
             const events::catalog* catalog, std::function<int64_t()> now_ms,
             metrics::registry* metrics);

} // namespace sluice
