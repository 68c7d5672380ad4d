#pragma once

#include <atomic>

#include <caf/actor_system.hpp>

#include "actors/control/queue_directory.hpp"
#include "actors/control/token_directory.hpp"
#include "actors/interfaces.hpp"
#include "actors/plugins/host/plugin_host.hpp"
#include "http/auth_limiter.hpp"
#include "http/log_throttle.hpp"

namespace sluice::metrics {
class registry;
} // namespace sluice::metrics

namespace sluice::http {

/// What every API handler may use. Owned by the server; outlives all requests.
struct api_context {
  caf::actor_system* sys = nullptr;
  hub_actor hub;
  /// The hub's tokens, for authenticating without a message round trip.
  const token_directory* tokens = nullptr;
  /// Each queue's coordinator, published by the hub: the data path.
  const queue_directory* queues = nullptr;
  metrics::registry* metrics = nullptr;
  /// `--dev`: no authentication (only ever on a loopback listener).
  bool dev_mode = false;
  /// Failed authentications per client address (none: unlimited).
  auth_limiter* auth_limits = nullptr;
  /// One log line per 10 s about failed authentications.
  log_throttle auth_log{std::chrono::seconds(10)};
  /// Runs consumer plugins; scripts are checked against its plugins (none: any name).
  plugin_host* plugins = nullptr;
  /// Set once SIGTERM arrived: `/readyz` answers 503 while in-flight work ends.
  std::atomic<bool>* draining = nullptr;
};

} // namespace sluice::http
