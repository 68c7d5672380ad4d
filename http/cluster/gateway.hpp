#pragma once

#include <caf/actor_system.hpp>

#include "actors/cluster_messages.hpp"
#include "http/cluster/cluster_gate.hpp"
#include "http/router.hpp"

namespace sluice::http {

/// Spawns this node's gateway (docs/cluster.md, "Any node serves"): runs
/// the requests other nodes forward through `routes` as if they had arrived
/// here (never forwarding them again) and sends each response back to the
/// forwarder that sent it. While `gate` says this node does not serve as
/// leader, it answers them 503 instead. Checkpoint requests of a peer catching
/// up go to `checkpoints` (any node serves them; invalid: answered with an
/// error). `routes` and `gate` outlive it.
gateway_actor spawn_gateway(caf::actor_system& sys, const router& routes, const cluster_gate& gate,
                            checkpoint_server_actor checkpoints = {});

} // namespace sluice::http
