#include "actors/coordinator.hpp"

namespace sluice {

coordinator_actor::behavior_type
coordinator(coordinator_actor::stateful_pointer<coordinator_state> self,
            storage::queue_record queue) {
  self->state.queue = std::move(queue);
  return {
      [=](storage::queue_record& updated) { self->state.queue = std::move(updated); },
      [=](caf::get_atom) { return self->state.queue; },
  };
}

} // namespace sluice
