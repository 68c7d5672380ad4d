#pragma once

#include <atomic>

#include <caf/actor_system.hpp>

#include "actors/interfaces.hpp"

namespace sluice::metrics {
class registry;
} // namespace sluice::metrics

namespace sluice::http {

/// What every API handler may use. Owned by the server; outlives all requests.
struct api_context {
  caf::actor_system* sys = nullptr;
  hub_actor hub;
  metrics::registry* metrics = nullptr;
  /// `--dev`: no authentication (only ever on a loopback listener).
  bool dev_mode = false;
  /// Set once SIGTERM arrived: `/readyz` answers 503 while in-flight work ends.
  std::atomic<bool>* draining = nullptr;
};

} // namespace sluice::http
