#include "actors/node/node.hpp"

#include "actors/queue/storage_shard.hpp"

namespace sluice {

node_actor::behavior_type node(node_actor::stateful_pointer<node_state> self,
                               node_services services) {
  self->state.services = std::make_shared<const node_services>(std::move(services));
  return {
      [=](shard_spec& spec) {
        const auto& own = self->state.services;
        auto shard = self->spawn(storage_shard, std::move(spec), own);
        return shard_placed{own->id, caf::actor_cast<caf::actor>(shard)};
      },
  };
}

} // namespace sluice
