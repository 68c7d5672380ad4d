#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
} // namespace prometheus

namespace sluice::metrics {

class registry;

/// Who a read, delete or retry was for: a worker (push) consumer, an HTTP
/// pull consumer, or nobody (writes, retention).
enum class consumer_type : uint8_t { none, worker, http };

/// How a message left the queue (docs/operations.md `outcome` of a delete).
enum class delete_outcome : uint8_t { success, dlq, fail, expired };

/// Billable operations a message of `bytes` costs per write, read or delete:
/// one per started 64 KB, at least one (as Cloudflare Queues bills).
uint64_t billable_chunks(uint64_t bytes);

/// Every metric of one queue (docs/operations.md), labelled {account, queue}: gauges for
/// the backlog and push concurrency, counters of operations by action,
/// consumer type and outcome, billable operations, retries, and histograms of
/// lag, message size and push invocation time. Made by `registry::queue`,
/// shared by the queue's coordinator, storage shards and push consumer; its
/// series leave the exposition when the last holder lets go (the queue is
/// gone). Every call is thread-safe and costs a few atomic operations (a
/// histogram takes its own short lock).
class queue_metrics {
public:
  ~queue_metrics();
  queue_metrics(const queue_metrics&) = delete;
  queue_metrics& operator=(const queue_metrics&) = delete;

  /// The queue's stats; `oldest_timestamp_ms` 0 when empty (the age is
  /// computed at each scrape).
  void set_backlog(uint64_t messages, uint64_t bytes, int64_t oldest_timestamp_ms, uint64_t delayed,
                   uint64_t in_flight);
  /// The backlog of consumer `consumer_id` of a fan-out queue (the messages
  /// its copy of the queue holds). Called by the queue's coordinator only.
  void set_consumer_backlog(const std::string& consumer_id, uint64_t messages);
  /// Drops the series of a consumer that left the queue. Coordinator only.
  void forget_consumer(const std::string& consumer_id);
  /// Push consumer concurrency: batches allowed at once now, and the cap.
  void set_concurrency(uint32_t current, uint32_t max);

  /// One message of `bytes` stored (synced): a write, its billable
  /// operations and its size.
  void written(uint64_t bytes);
  /// One message of `bytes` delivered to a consumer `lag_seconds` after it
  /// was sent (a pull lease or a push batch).
  void delivered(consumer_type to, uint64_t bytes, double lag_seconds);
  /// One message of `bytes` deleted: acked (`success`), moved to the
  /// dead-letter queue, dropped out of retries (`fail`) or by retention.
  /// Billable unless `expired` (nobody asked for it; `by` is then ignored:
  /// expiry has no consumer).
  void deleted(consumer_type by, delete_outcome outcome, uint64_t bytes);
  /// One delivery ended in a retry (asked for, a failed batch, a lease that
  /// expired).
  void retried(consumer_type by);
  /// One push batch handed to the plugin ran for `seconds`; `failed` if it
  /// threw, timed out or the plugin could not be loaded.
  void invoked(double seconds, bool failed);

private:
  friend class registry;
  queue_metrics(registry& owner, const std::string& account, const std::string& queue);
  /// Sets the age gauge from the oldest timestamp (at scrape time).
  void refresh_age(int64_t now_ms);

  registry& owner_;
  std::string account_;
  std::string queue_;
  prometheus::Gauge* backlog_;
  prometheus::Gauge* bytes_;
  prometheus::Gauge* age_;
  prometheus::Gauge* delayed_;
  prometheus::Gauge* in_flight_;
  prometheus::Gauge* concurrency_;
  prometheus::Gauge* max_concurrency_;
  prometheus::Counter* writes_;
  std::array<prometheus::Counter*, 2> reads_;   ///< by consumer type (worker, http)
  std::array<prometheus::Counter*, 6> deletes_; ///< by consumer type × success/dlq/fail
  prometheus::Counter* expired_;
  std::array<prometheus::Counter*, 3> billable_; ///< write, read, delete
  std::array<prometheus::Counter*, 2> retries_;  ///< by consumer type
  std::array<prometheus::Histogram*, 2> lag_;    ///< by consumer type
  prometheus::Histogram* size_;
  prometheus::Histogram* invocation_seconds_;
  prometheus::Counter* invocation_failures_;
  /// By consumer id; only fan-out queues have any (bounded by their consumers).
  std::map<std::string, prometheus::Gauge*> consumer_backlog_;
  std::int64_t oldest_ms_ = 0; ///< read at scrape time under the registry's lock
};

} // namespace sluice::metrics
