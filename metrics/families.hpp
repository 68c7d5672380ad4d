#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace sluice::metrics {

/// Every metric family of the process (docs/operations.md), with name, type and help, in
/// one place. Internal to `metrics/`: components get their series through
/// `registry` and `queue_metrics`.
struct families {
  explicit families(prometheus::Registry& r);

  // HTTP (labels route, method, status class; the histogram by route).
  prometheus::Family<prometheus::Counter>& http_requests;
  prometheus::Family<prometheus::Histogram>& http_duration;
  prometheus::Family<prometheus::Gauge>& http_connections;
  prometheus::Family<prometheus::Counter>& http_connections_refused;
  prometheus::Family<prometheus::Counter>& auth_failures;

  // Per queue (labels account, queue): what its coordinator knows.
  prometheus::Family<prometheus::Gauge>& backlog;
  prometheus::Family<prometheus::Gauge>& backlog_bytes;
  prometheus::Family<prometheus::Gauge>& oldest_age;
  prometheus::Family<prometheus::Gauge>& delayed;
  prometheus::Family<prometheus::Gauge>& in_flight;
  /// Fan-out queues only (plus label consumer: a consumer id of the queue).
  prometheus::Family<prometheus::Gauge>& consumer_backlog;
  prometheus::Family<prometheus::Gauge>& concurrency;
  prometheus::Family<prometheus::Gauge>& max_concurrency;

  // Per queue: what happens to messages (plus action, consumer_type, outcome).
  prometheus::Family<prometheus::Counter>& operations;
  prometheus::Family<prometheus::Counter>& billable;
  prometheus::Family<prometheus::Counter>& retries;
  prometheus::Family<prometheus::Histogram>& lag;
  prometheus::Family<prometheus::Histogram>& message_size;
  prometheus::Family<prometheus::Histogram>& invocation_duration;
  prometheus::Family<prometheus::Counter>& invocation_failures;

  // Events (labels source, type).
  prometheus::Family<prometheus::Counter>& events_published;
  prometheus::Family<prometheus::Counter>& events_delivered;
  prometheus::Family<prometheus::Counter>& events_rejected;

  // Storage (label op: append, lease, settle, delete, expire, purge, page,
  // recover, meta).
  prometheus::Family<prometheus::Counter>& storage_errors;
  prometheus::Family<prometheus::Gauge>& storage_free;
  prometheus::Family<prometheus::Gauge>& storage_full;

  // Cluster mode (docs/cluster.md): this node's raft member.
  prometheus::Family<prometheus::Gauge>& cluster_role;
  prometheus::Family<prometheus::Gauge>& cluster_term;
  prometheus::Family<prometheus::Gauge>& cluster_commit_index;
  prometheus::Family<prometheus::Gauge>& cluster_applied_index;
  prometheus::Family<prometheus::Gauge>& cluster_lag;
  prometheus::Family<prometheus::Counter>& cluster_elections;

  static const prometheus::Histogram::BucketBoundaries& http_buckets();
  static const prometheus::Histogram::BucketBoundaries& lag_buckets();
  static const prometheus::Histogram::BucketBoundaries& size_buckets();
  static const prometheus::Histogram::BucketBoundaries& invocation_buckets();
};

} // namespace sluice::metrics
