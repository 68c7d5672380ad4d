#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <caf/actor_system.hpp>

#include "actors/control/hub.hpp"
#include "storage/backend.hpp"

namespace sluice {

/// How `start_hub` builds a hub over a backend.
struct hub_options {
  /// Messages a storage shard holds in memory (the rest are paged in).
  size_t window = 10000;
  size_t audit_retention = default_audit_retention;
  /// Ensure the admin token of docs/auth.md exists (off in `--dev` mode).
  bool bootstrap_admin = true;
  /// `SLUICE_BOOTSTRAP_TOKEN`: the admin secret to ensure (empty: generate
  /// one on the very first start).
  std::string bootstrap_secret;
  /// The lease-signing secret; empty: the data directory's own (created at
  /// first start).
  std::string lease_secret;
  std::shared_ptr<plugin_host> plugins;
  metrics::registry* metrics = nullptr;
  /// Where the hub publishes its tokens (default: a new directory).
  std::shared_ptr<token_directory> tokens;
  /// Where the hub publishes each queue's coordinator, for the data path
  /// (default: a new directory).
  std::shared_ptr<queue_directory> queues;
  /// Refuses appends while the data directory's disk is nearly full (null:
  /// never).
  storage::space_guard* space = nullptr;
  /// Names this process's node in shard maps.
  std::string node_id = "local";
  /// Unix epoch ms (default: the system clock).
  std::function<int64_t()> now_ms;
};

/// What `start_hub` started.
struct started_hub {
  hub_actor hub;
  /// This process's node, which runs the storage shards (linked to the hub).
  node_actor node;
  /// A newly generated admin secret to show the operator once (else empty).
  std::string admin_secret_to_print;
  size_t queues = 0;
  size_t tokens = 0;
};

/// The one composition of the control plane, for `serve`, the unit-test
/// fixtures and the benchmark alike: reads the meta store, ensures the admin
/// token and the lease secret, spawns this process's node and the hub, which
/// spawns a coordinator per queue; each places its shards on the node, and
/// they recover their own messages. Blocks on the meta
/// store's start-up reads: call it from the main (or test) thread before the
/// server serves, never from an actor. `stores` must outlive the hub.
storage::expected<started_hub> start_hub(caf::actor_system& sys, storage::backend& stores,
                                         hub_options opts);

} // namespace sluice
