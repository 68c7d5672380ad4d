#pragma once

#include <caf/actor_system.hpp>

#include "actors/cluster_messages.hpp"
#include "storage/replicated/checkpoint_source.hpp"

namespace sluice::http {

/// Spawns the actor that serves this node's checkpoints to a peer catching
/// up (docs/cluster.md, "Catching up from a checkpoint"): `checkpoint_prepare`
/// and `checkpoint_read` become calls of `source` (the replicated backend's
/// `checkpoints()`), their errors the answers' `error`. Detached — making a
/// checkpoint and reading its files block — so no scheduler thread waits on
/// the disk. `source` outlives it.
checkpoint_server_actor spawn_checkpoint_server(caf::actor_system& sys,
                                                storage::checkpoint_source& source);

} // namespace sluice::http
