#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "metrics/queue_gauges.hpp"

namespace prometheus {
class Registry;
} // namespace prometheus

namespace sluice::metrics {

/// The one metric factory of the process (STYLE.md): every metric family is
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

  /// The gauges of queue `queue` of `account` (its coordinator holds them
  /// while the queue exists). Thread-safe.
  std::shared_ptr<queue_gauges> queue(const std::string& account, const std::string& queue);

  /// The Prometheus text exposition (format 0.0.4) of every metric.
  std::string expose() const;

  /// The underlying registry, for components that add their own families
  /// through this class's helpers only.
  prometheus::Registry& prom();

  struct impl;

private:
  friend class queue_gauges;
  std::unique_ptr<impl> impl_;
};

} // namespace sluice::metrics
