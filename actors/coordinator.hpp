#pragma once

#include "actors/interfaces.hpp"

namespace sluice {

/// State of a queue's coordinator: its current settings. Later issues add the
/// shard map, consumer configuration and the concurrency controller.
struct coordinator_state {
  static inline const char* name = "sluice.coordinator";
  storage::queue_record queue;
};

/// Spawned by the hub for every queue; exits when the hub deletes the queue
/// (the hub links to it, so it also ends with the hub).
coordinator_actor::behavior_type
coordinator(coordinator_actor::stateful_pointer<coordinator_state> self,
            storage::queue_record queue);

} // namespace sluice
