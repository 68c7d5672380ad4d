#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "actors/interfaces.hpp"
#include "actors/queue/lease.hpp"
#include "actors/storage_env.hpp"

namespace sluice {

/// What a node lends the storage shards it runs: the process's own services,
/// which never travel in a `shard_spec`.
struct node_services {
  /// Names the node in shard maps (`shard_placed::node`).
  std::string id;
  storage_env env;
  std::shared_ptr<const lease_codec> leases;
  /// Unix epoch ms; tests inject a virtual clock.
  std::function<int64_t()> now_ms;
};

struct node_state {
  static inline const char* name = "sluice.node";

  std::shared_ptr<const node_services> services;
};

/// One per process (spawned by `start_hub`, linked to the hub): spawns the
/// storage shards coordinators place on it. Each shard opens its store and
/// recovers itself; it links to its coordinator, so it ends with the queue.
node_actor::behavior_type node(node_actor::stateful_pointer<node_state> self,
                               node_services services);

} // namespace sluice
