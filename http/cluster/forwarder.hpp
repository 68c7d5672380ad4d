#pragma once

#include <functional>
#include <memory>
#include <optional>

#include <caf/actor_system.hpp>

#include "actors/cluster_messages.hpp"
#include "http/cluster/pending_forwards.hpp"

namespace sluice::http {

/// How a forwarder reaches a leader's gateway.
struct forwarder_config {
  /// The responders of forwarded requests (shared with `cluster_gate`).
  std::shared_ptr<pending_forwards> pending;
  /// Tests: the gateway of a leader in this process. None: connect to
  /// `host:port` through CAF's middleman (which must be loaded).
  std::function<std::optional<gateway_actor>(const forward_to&)> local_lookup;
};

/// Spawns this node's forwarder (docs/cluster.md, "Any node serves"). Told
/// the leader with `forward_to`, it connects to the leader's gateway
/// (retrying every 250 ms while it cannot) and monitors it. Each
/// `forwarded_request` waits in a buffer that goes to the gateway as one
/// `forward_batch` once the mailbox is empty; each `forwarded_responses`
/// answers its requests' responders. While not connected, requests get 503
/// at once. When the gateway goes down or the leader changes, every request
/// still waiting gets 503 saying its outcome is unknown.
forwarder_actor spawn_forwarder(caf::actor_system& sys, forwarder_config config);

} // namespace sluice::http
