#include "metrics/registry.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace sluice::metrics {

namespace {

std::string status_class(int status) {
  return std::to_string(status / 100) + "xx";
}

} // namespace

struct registry::impl {
  std::shared_ptr<prometheus::Registry> prom = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& http_requests =
      prometheus::BuildCounter()
          .Name("sluice_http_requests_total")
          .Help("HTTP requests answered, by route, method and status class")
          .Register(*prom);
  prometheus::Family<prometheus::Histogram>& http_duration =
      prometheus::BuildHistogram()
          .Name("sluice_http_request_duration_seconds")
          .Help("Time from a request's arrival to its response, by route")
          .Register(*prom);

  // Per queue (labels account, queue): what its coordinator knows.
  prometheus::Family<prometheus::Gauge>& backlog =
      gauge("sluice_queue_backlog_messages",
            "Messages stored in the queue: ready, delayed and in flight");
  prometheus::Family<prometheus::Gauge>& backlog_bytes =
      gauge("sluice_queue_backlog_bytes", "Body bytes of the messages stored in the queue");
  prometheus::Family<prometheus::Gauge>& oldest_age =
      gauge("sluice_queue_oldest_message_age_seconds",
            "Age of the oldest message stored in the queue (0 when empty), at scrape time");
  prometheus::Family<prometheus::Gauge>& delayed = gauge(
      "sluice_queue_delayed_messages", "Messages waiting for a delivery delay or a retry delay");
  prometheus::Family<prometheus::Gauge>& in_flight =
      gauge("sluice_queue_in_flight_messages",
            "Messages leased to a consumer (pull or push) and not yet acked or retried");
  prometheus::Family<prometheus::Gauge>& concurrency =
      gauge("sluice_consumer_concurrency",
            "Push batches the worker consumer may run at once now (concurrency controller)");
  prometheus::Family<prometheus::Gauge>& max_concurrency =
      gauge("sluice_consumer_max_concurrency",
            "The worker consumer's cap on concurrent batches (max_concurrency, 250 if automatic)");

  std::mutex queues_mutex;
  std::set<queue_gauges*> queues; ///< alive, for the age refresh at scrape time

  prometheus::Family<prometheus::Gauge>& gauge(const char* name, const char* help) {
    return prometheus::BuildGauge().Name(name).Help(help).Register(*prom);
  }
};

queue_gauges::queue_gauges(registry& owner, const std::string& account, const std::string& queue)
  : owner_(owner) {
  auto& i = *owner.impl_;
  const std::map<std::string, std::string> labels{{"account", account}, {"queue", queue}};
  backlog_ = &i.backlog.Add(labels);
  bytes_ = &i.backlog_bytes.Add(labels);
  age_ = &i.oldest_age.Add(labels);
  delayed_ = &i.delayed.Add(labels);
  in_flight_ = &i.in_flight.Add(labels);
  concurrency_ = &i.concurrency.Add(labels);
  max_concurrency_ = &i.max_concurrency.Add(labels);
  std::lock_guard<std::mutex> lock(i.queues_mutex);
  i.queues.insert(this);
}

queue_gauges::~queue_gauges() {
  auto& i = *owner_.impl_;
  std::lock_guard<std::mutex> lock(i.queues_mutex);
  i.queues.erase(this);
  i.backlog.Remove(backlog_);
  i.backlog_bytes.Remove(bytes_);
  i.oldest_age.Remove(age_);
  i.delayed.Remove(delayed_);
  i.in_flight.Remove(in_flight_);
  i.concurrency.Remove(concurrency_);
  i.max_concurrency.Remove(max_concurrency_);
}

void queue_gauges::set_backlog(uint64_t messages, uint64_t bytes, int64_t oldest_timestamp_ms,
                               uint64_t delayed, uint64_t in_flight) {
  backlog_->Set(static_cast<double>(messages));
  bytes_->Set(static_cast<double>(bytes));
  delayed_->Set(static_cast<double>(delayed));
  in_flight_->Set(static_cast<double>(in_flight));
  std::lock_guard<std::mutex> lock(owner_.impl_->queues_mutex);
  oldest_ms_ = oldest_timestamp_ms;
}

void queue_gauges::set_concurrency(uint32_t current, uint32_t max) {
  concurrency_->Set(current);
  max_concurrency_->Set(max);
}

void queue_gauges::refresh_age(int64_t now_ms) {
  age_->Set(oldest_ms_ == 0 ? 0.0 : std::max<int64_t>(0, now_ms - oldest_ms_) / 1000.0);
}

registry::registry() : impl_(std::make_unique<impl>()) {}

registry::~registry() = default;

void registry::observe_http(std::string_view route, std::string_view method, int status,
                            double seconds) {
  static const prometheus::Histogram::BucketBoundaries buckets{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5};
  std::string r{route};
  impl_->http_requests
      .Add({{"route", r}, {"method", std::string{method}}, {"status", status_class(status)}})
      .Increment();
  impl_->http_duration.Add({{"route", r}}, buckets).Observe(seconds);
}

std::shared_ptr<queue_gauges> registry::queue(const std::string& account,
                                              const std::string& queue) {
  return std::shared_ptr<queue_gauges>(new queue_gauges(*this, account, queue));
}

std::string registry::expose() const {
  {
    using namespace std::chrono;
    auto now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    std::lock_guard<std::mutex> lock(impl_->queues_mutex);
    for (auto* q : impl_->queues)
      q->refresh_age(now);
  }
  return prometheus::TextSerializer{}.Serialize(impl_->prom->Collect());
}

prometheus::Registry& registry::prom() {
  return *impl_->prom;
}

} // namespace sluice::metrics
