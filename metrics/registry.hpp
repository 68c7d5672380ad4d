#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "metrics/queue_metrics.hpp"

namespace sluice::metrics {

/// The one metric factory of the process: every metric family is
/// created here, with bounded label values, and every component takes its
/// counters from it. Thread-safe (prometheus-cpp metrics are atomic).
class registry {
public:
  registry();
  ~registry();
  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;

  /// Counts one HTTP request and its latency. `route` is the route's name
  /// (a bounded set, e.g. "queues.get"), never the raw path.
  void observe_http(std::string_view route, std::string_view method, int status, double seconds);

  /// Open client connections: +1 when one is accepted, -1 when it closes.
  void connections_changed(int delta);
  /// Counts one connection the server closed at once or could not accept;
  /// `reason` is `limit`, `accept_error` or `tls_handshake`.
  void connection_refused(std::string_view reason);

  /// Counts one request refused for its token: `outcome` is `rejected`
  /// (401) or `limited` (429, its address failed too often).
  void auth_failed(std::string_view outcome);

  /// The metrics of queue `queue` of `account`, shared by its coordinator,
  /// storage shards and push consumer while the queue exists. Thread-safe.
  std::shared_ptr<queue_metrics> queue(const std::string& account, const std::string& queue);

  /// Events (docs/events.md) by source and type, both from the catalog (callers
  /// pass "unknown" for anything else, so label values stay bounded): one
  /// accepted by the router, `count` stored into subscribed queues, one
  /// refused by validation.
  void event_published(const std::string& source, const std::string& type);
  void events_delivered(const std::string& source, const std::string& type, uint64_t count);
  void event_rejected(const std::string& source, const std::string& type);

  /// Counts one failed store operation; `op` is the operation's name (a
  /// bounded set: append, lease, settle, delete, expire, purge, page,
  /// recover, meta).
  void storage_error(std::string_view op);

  /// The data directory's free space as last read, and whether appends are
  /// refused for it (docs/operations.md, "A full disk").
  void storage_space(uint64_t free_bytes, bool full);

  /// Cluster mode: this node's raft role ("leader", "follower", "candidate",
  /// "unavailable"), term and indexes, as last read. A term above the last
  /// one seen counts as elections.
  void cluster_status(std::string_view role, uint64_t term, uint64_t commit_index,
                      uint64_t applied_index);

  /// The Prometheus text exposition (format 0.0.4) of every metric.
  std::string expose() const;

  struct impl;

private:
  friend class queue_metrics;
  std::unique_ptr<impl> impl_;
};

} // namespace sluice::metrics
