#include "metrics/families.hpp"

namespace sluice::metrics {

namespace {

prometheus::Family<prometheus::Counter>& counter(prometheus::Registry& r, const char* name,
                                                 const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}

prometheus::Family<prometheus::Gauge>& gauge(prometheus::Registry& r, const char* name,
                                             const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}

prometheus::Family<prometheus::Histogram>& histogram(prometheus::Registry& r, const char* name,
                                                     const char* help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(r);
}

} // namespace

families::families(prometheus::Registry& r)
  : http_requests(counter(r, "sluice_http_requests_total",
                          "HTTP requests answered, by route, method and status class")),
    http_duration(histogram(r, "sluice_http_request_duration_seconds",
                            "Time from a request's arrival to its response, by route")),
    http_connections(gauge(r, "sluice_http_connections", "Open client connections")),
    http_connections_refused(counter(r, "sluice_http_connections_refused_total",
                                     "Connections closed at once, by reason (limit: "
                                     "--max-connections reached; accept_error: the accept "
                                     "failed, e.g. out of descriptors; tls_handshake: the "
                                     "TLS handshake failed)")),
    auth_failures(counter(r, "sluice_auth_failures_total",
                          "Requests refused for their token, by outcome (rejected: 401, "
                          "missing or unknown token; limited: 429, too many failures from "
                          "the client's address)")),
    backlog(gauge(r, "sluice_queue_backlog_messages",
                  "Messages stored in the queue: ready, delayed and in flight")),
    backlog_bytes(
        gauge(r, "sluice_queue_backlog_bytes", "Body bytes of the messages stored in the queue")),
    oldest_age(
        gauge(r, "sluice_queue_oldest_message_age_seconds",
              "Age of the oldest message stored in the queue (0 when empty), at scrape time")),
    delayed(gauge(r, "sluice_queue_delayed_messages",
                  "Messages waiting for a delivery delay or a retry delay")),
    in_flight(gauge(r, "sluice_queue_in_flight_messages",
                    "Messages leased to a consumer (pull or push) and not yet acked or retried")),
    consumer_backlog(gauge(r, "sluice_queue_consumer_backlog_messages",
                           "Messages one consumer of a fan-out queue (settings.consumer_mode "
                           "multi) still has to process (label consumer: its consumer_id)")),
    concurrency(gauge(r, "sluice_consumer_concurrency",
                      "Push batches the worker consumer may run at once now (concurrency "
                      "controller)")),
    max_concurrency(gauge(r, "sluice_consumer_max_concurrency",
                          "The worker consumer's cap on concurrent batches (max_concurrency, 250 "
                          "if automatic)")),
    operations(counter(r, "sluice_queue_operations_total",
                       "Message operations by action (write, read, delete), consumer_type "
                       "(worker, http; none for writes and expiry) and outcome (success, dlq, "
                       "fail, expired)")),
    billable(counter(r, "sluice_queue_billable_operations_total",
                     "Billable operations by action: one per started 64 KB of each message "
                     "written, read or deleted (expiry is not billed)")),
    retries(counter(r, "sluice_queue_retries_total",
                    "Deliveries that ended in a retry: asked for, a failed push batch or an "
                    "expired lease")),
    lag(histogram(r, "sluice_queue_lag_seconds",
                  "Time from a message's send to its delivery to a consumer, per delivery")),
    message_size(histogram(r, "sluice_queue_message_size_bytes", "Body size of messages written")),
    invocation_duration(histogram(r, "sluice_consumer_invocation_duration_seconds",
                                  "Time a worker consumer's plugin took for one batch")),
    invocation_failures(counter(r, "sluice_consumer_invocation_failures_total",
                                "Push batches whose plugin call threw, timed out or could not "
                                "load")),
    events_published(counter(r, "sluice_events_published_total",
                             "Events accepted by the event router, by source and type")),
    events_delivered(counter(r, "sluice_events_delivered_total",
                             "Event messages stored into subscribed queues (one per matching "
                             "subscription), by source and type")),
    events_rejected(counter(r, "sluice_events_rejected_total",
                            "Events refused by schema validation, by source and type (unknown "
                            "when not in the catalog)")),
    storage_errors(counter(r, "sluice_storage_errors_total",
                           "Store operations that failed (the disk or the storage engine "
                           "refused them), by operation")),
    storage_free(gauge(r, "sluice_storage_free_bytes",
                       "Free bytes on the data directory's disk, as last read")),
    storage_full(gauge(r, "sluice_storage_full",
                       "1 while new messages are refused because the data directory's disk "
                       "has less than --min-free-bytes free, else 0")),
    cluster_role(gauge(r, "sluice_cluster_role",
                       "1 for this node's raft role now (leader, follower, candidate, "
                       "unavailable), 0 for the others; cluster mode only")),
    cluster_term(gauge(r, "sluice_cluster_term", "This node's raft term")),
    cluster_commit_index(gauge(r, "sluice_cluster_commit_index",
                               "The highest log index this node knows a majority stored")),
    cluster_applied_index(gauge(r, "sluice_cluster_applied_index",
                                "The highest log index applied to this node's store")),
    cluster_lag(gauge(r, "sluice_cluster_replication_lag_entries",
                      "Committed entries not yet applied here (commit index minus applied "
                      "index)")),
    cluster_elections(counter(r, "sluice_cluster_elections_total",
                              "Terms this node has seen start (each follows an election)")) {}

const prometheus::Histogram::BucketBoundaries& families::http_buckets() {
  static const prometheus::Histogram::BucketBoundaries b{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5};
  return b;
}

const prometheus::Histogram::BucketBoundaries& families::lag_buckets() {
  static const prometheus::Histogram::BucketBoundaries b{0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                         0.25,  0.5,   1,    2.5,   5,    10,
                                                         30,    60,    300,  900,   3600, 86400};
  return b;
}

const prometheus::Histogram::BucketBoundaries& families::size_buckets() {
  // Bodies are at most 128 KB (1 KB = 1000 B); 64 KB is one billable chunk.
  static const prometheus::Histogram::BucketBoundaries b{64, 256, 1000, 4000, 16000, 64000, 128000};
  return b;
}

const prometheus::Histogram::BucketBoundaries& families::invocation_buckets() {
  static const prometheus::Histogram::BucketBoundaries b{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900};
  return b;
}

} // namespace sluice::metrics
