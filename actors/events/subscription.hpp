#pragma once

#include <functional>

#include "actors/interfaces.hpp"

namespace sluice {

struct subscription_state {
  static inline const char* name = "sluice.subscription";

  storage::subscription_record record;
  coordinator_actor destination;
};

/// Spawned by the event router, one per subscription; stops when the router
/// tells it the subscription was removed.
subscription_actor::behavior_type
subscription(subscription_actor::stateful_pointer<subscription_state> self,
             subscription_changed init);

} // namespace sluice
