#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <caf/actor_system.hpp>

#include "actors/cluster_messages.hpp"
#include "actors/node/start_hub.hpp"
#include "http/api_context.hpp"
#include "http/cluster/cluster_control.hpp"
#include "http/cluster/cluster_gate.hpp"
#include "storage/replicated/replicated_backend.hpp"

namespace sluice::cli {

/// Wakes a `cluster_node` when raft reports a role or leader change (raft's
/// leadership callback fires on the raft thread; the node reacts on its own).
class role_signal {
public:
  void notify();
  /// Waits until notified or `max` passed; clears the notification.
  void wait(std::chrono::milliseconds max);

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  bool changed_ = false;
};

/// What a cluster node is made of (all outlive it).
struct cluster_node_config {
  caf::actor_system* sys = nullptr;
  storage::replicated_backend* stores = nullptr;
  /// How each hub this node starts is built (a new one each time it leads).
  hub_options hub;
  http::api_context* ctx = nullptr;
  http::cluster_gate* gate = nullptr;
  forwarder_actor forwarder;
  std::shared_ptr<role_signal> signal;
  /// The forwarding port of a node is its raft port + this.
  uint16_t forward_port_offset = 1;
};

/// This process's part in the cluster (docs/cluster.md, "Leadership"): a
/// thread of its own — never a CAF scheduler thread, since taking over blocks
/// — follows raft's role. When this node is elected it waits until every
/// earlier entry is applied here (a replicated no-op), starts a hub over the
/// replicated store (which recovers queues, leases and timers from it) and
/// then serves; when it loses leadership it stops that hub at once and
/// forwards to the new leader; with no leader known it answers 503. Also
/// the `cluster_control` of the cluster routes.
class cluster_node : public http::cluster_control {
public:
  explicit cluster_node(cluster_node_config config);
  ~cluster_node() override;

  void start();
  /// Stops following raft and stops this node's hub (if it runs). Idempotent.
  void stop();

  http::cluster_view status() const override;
  void add_member(uint64_t id, std::string address, done_fn done) override;
  void remove_member(uint64_t id, done_fn done) override;

private:
  void run();
  void follow(const storage::raft::node_status& s);
  void take_over();
  void hand_over(const std::string& why);
  void refresh_tokens();

  cluster_node_config cfg_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  hub_actor hub_;
  /// The raft term in which `hub_` started.
  uint64_t hub_term_ = 0;
  forward_to forwarding_;
  std::chrono::steady_clock::time_point tokens_read_{};
  std::chrono::steady_clock::time_point next_take_over_{};
  bool admin_secret_shown_ = false;
};

} // namespace sluice::cli
