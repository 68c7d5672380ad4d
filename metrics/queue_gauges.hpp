#pragma once

#include <cstdint>
#include <string>

namespace prometheus {
class Gauge;
template <typename T>
class Family;
} // namespace prometheus

namespace sluice::metrics {

class registry;

/// The gauges of one queue (SPEC §6), labelled {account, queue}: backlog
/// messages and bytes, oldest message age, delayed and in-flight messages,
/// push concurrency (current and max). Made by `registry::queue`; its series
/// leave the exposition when it is destroyed (the queue is gone). Setters are
/// atomic stores, cheap enough for every change of a queue's stats.
class queue_gauges {
public:
  ~queue_gauges();
  queue_gauges(const queue_gauges&) = delete;
  queue_gauges& operator=(const queue_gauges&) = delete;

  /// The queue's stats; `oldest_timestamp_ms` 0 when empty (the age is
  /// computed at each scrape).
  void set_backlog(uint64_t messages, uint64_t bytes, int64_t oldest_timestamp_ms, uint64_t delayed,
                   uint64_t in_flight);
  /// Push consumer concurrency: batches allowed at once now, and the cap.
  void set_concurrency(uint32_t current, uint32_t max);

private:
  friend class registry;
  queue_gauges(registry& owner, const std::string& account, const std::string& queue);
  /// Sets the age gauge from the oldest timestamp (at scrape time).
  void refresh_age(int64_t now_ms);

  registry& owner_;
  prometheus::Gauge* backlog_;
  prometheus::Gauge* bytes_;
  prometheus::Gauge* age_;
  prometheus::Gauge* delayed_;
  prometheus::Gauge* in_flight_;
  prometheus::Gauge* concurrency_;
  prometheus::Gauge* max_concurrency_;
  std::int64_t oldest_ms_ = 0; ///< read at scrape time under the registry's lock
};

} // namespace sluice::metrics
