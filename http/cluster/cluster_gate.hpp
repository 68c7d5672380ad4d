#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "actors/cluster_messages.hpp"
#include "http/cluster/pending_forwards.hpp"
#include "http/message.hpp"

namespace sluice::http {

/// Where this node's API requests run in cluster mode (docs/cluster.md, "Any
/// node serves"), set by the node's supervisor as leadership moves and read
/// by every request (`router::set_gate`):
/// - serving: this node leads and its hub runs; requests run here;
/// - forwarding: another node leads; requests go to it through `forwarder`;
/// - unavailable: no leader is known, or this node is taking over or handing
///   over; requests get 503 with `x-should-retry: true` and a message saying
///   why. Thread-safe.
class cluster_gate {
public:
  /// `pending` holds the responders of forwarded requests (shared with
  /// `forwarder`, which answers them).
  cluster_gate(forwarder_actor forwarder, std::shared_ptr<pending_forwards> pending);

  /// The router's gate: false when the request runs here.
  bool take(request& req, responder& reply);

  void set_serving();
  void set_forwarding();
  void set_unavailable(std::string why);

  /// True while this node leads and serves.
  bool serving() const { return mode_.load() == mode::serving; }

  /// Why requests are refused now (empty unless unavailable).
  std::string why_unavailable() const;

private:
  enum class mode : uint8_t { serving, forwarding, unavailable };
  forwarder_actor forwarder_;
  std::shared_ptr<pending_forwards> pending_;
  std::atomic<mode> mode_{mode::unavailable};
  mutable std::mutex mtx_;
  std::string why_ = "this node is starting and has not found the cluster's leader yet";
};

} // namespace sluice::http
