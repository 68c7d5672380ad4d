#pragma once

#include <atomic>
#include <mutex>

#include "actors/control/queue_directory.hpp"
#include "actors/control/token_directory.hpp"
#include "actors/interfaces.hpp"
#include "actors/plugins/host/plugin_host.hpp"
#include "http/auth_limiter.hpp"
#include "http/cluster/cluster_control.hpp"
#include "http/log_throttle.hpp"
#include "http/reply_sink.hpp"

namespace sluice::metrics {
class registry;
} // namespace sluice::metrics

namespace sluice::http {

/// The hub API requests go to. It changes in cluster mode, where each
/// leadership term starts a new hub on the new leader (docs/cluster.md);
/// read it per request. Thread-safe.
class hub_slot {
public:
  /// The hub now; an invalid handle while this node runs none.
  hub_actor get() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return hub_;
  }
  void set(hub_actor h) {
    std::lock_guard<std::mutex> guard{mtx_};
    hub_ = std::move(h);
  }

private:
  mutable std::mutex mtx_;
  hub_actor hub_;
};

/// What every API handler may use. Owned by the server; outlives all requests.
struct api_context {
  /// Where requests to actors get their replies (`ask`).
  reply_sink* replies = nullptr;
  hub_slot hub;
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
  /// Cluster mode: this node's raft member (none: a single node).
  cluster_control* cluster = nullptr;
  /// Set once SIGTERM arrived: `/readyz` answers 503 while in-flight work ends.
  std::atomic<bool>* draining = nullptr;
};

} // namespace sluice::http
