#include "metrics/registry.hpp"

#include <chrono>

#include <prometheus/text_serializer.h>

#include "metrics/registry_impl.hpp"

namespace sluice::metrics {

namespace {

std::string status_class(int status) {
  return std::to_string(status / 100) + "xx";
}

} // namespace

registry::registry() : impl_(std::make_unique<impl>()) {}

registry::~registry() = default;

void registry::observe_http(std::string_view route, std::string_view method, int status,
                            double seconds) {
  const int klass = status / 100;
  impl::http_series series;
  {
    std::lock_guard<std::mutex> lock(impl_->http_mutex);
    auto it = impl_->http.find(std::make_tuple(route, method, klass));
    if (it == impl_->http.end()) {
      std::string r{route};
      series.requests = &impl_->fams.http_requests.Add(
          {{"route", r}, {"method", std::string{method}}, {"status", status_class(status)}});
      series.duration = &impl_->fams.http_duration.Add({{"route", r}}, families::http_buckets());
      impl_->http.emplace(std::make_tuple(r, std::string{method}, klass), series);
    } else {
      series = it->second;
    }
  }
  series.requests->Increment();
  series.duration->Observe(seconds);
}

std::shared_ptr<queue_metrics> registry::queue(const std::string& account,
                                               const std::string& queue) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  auto& slot = impl_->by_queue[{account, queue}];
  if (auto existing = slot.lock())
    return existing;
  std::shared_ptr<queue_metrics> made(new queue_metrics(*this, account, queue));
  slot = made;
  impl_->alive.insert(made.get());
  return made;
}

void registry::event_published(const std::string& source, const std::string& type) {
  impl_->fams.events_published.Add({{"source", source}, {"type", type}}).Increment();
}

void registry::events_delivered(const std::string& source, const std::string& type,
                                uint64_t count) {
  impl_->fams.events_delivered.Add({{"source", source}, {"type", type}})
      .Increment(static_cast<double>(count));
}

void registry::event_rejected(const std::string& source, const std::string& type) {
  impl_->fams.events_rejected.Add({{"source", source}, {"type", type}}).Increment();
}

void registry::connections_changed(int delta) {
  impl_->fams.http_connections.Add({}).Increment(delta);
}

void registry::connection_refused(std::string_view reason) {
  impl_->fams.http_connections_refused.Add({{"reason", std::string{reason}}}).Increment();
}

void registry::auth_failed(std::string_view outcome) {
  impl_->fams.auth_failures.Add({{"outcome", std::string{outcome}}}).Increment();
}

void registry::storage_error(std::string_view op) {
  impl_->fams.storage_errors.Add({{"op", std::string{op}}}).Increment();
}

void registry::storage_space(uint64_t free_bytes, bool full) {
  impl_->fams.storage_free.Add({}).Set(static_cast<double>(free_bytes));
  impl_->fams.storage_full.Add({}).Set(full ? 1 : 0);
}

void registry::cluster_status(std::string_view role, uint64_t term, uint64_t commit_index,
                              uint64_t applied_index) {
  auto& f = impl_->fams;
  for (const char* r : {"leader", "follower", "candidate", "unavailable"})
    f.cluster_role.Add({{"role", r}}).Set(role == r ? 1 : 0);
  auto& term_gauge = f.cluster_term.Add({});
  auto last = static_cast<uint64_t>(term_gauge.Value());
  if (term > last && last != 0)
    f.cluster_elections.Add({}).Increment(static_cast<double>(term - last));
  else
    f.cluster_elections.Add({});
  term_gauge.Set(static_cast<double>(term));
  f.cluster_commit_index.Add({}).Set(static_cast<double>(commit_index));
  f.cluster_applied_index.Add({}).Set(static_cast<double>(applied_index));
  f.cluster_lag.Add({}).Set(
      commit_index > applied_index ? static_cast<double>(commit_index - applied_index) : 0.0);
}

std::string registry::expose() const {
  {
    using namespace std::chrono;
    auto now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    std::lock_guard<std::mutex> lock(impl_->mutex);
    for (auto* q : impl_->alive)
      q->refresh_age(now);
  }
  return prometheus::TextSerializer{}.Serialize(impl_->prom->Collect());
}

} // namespace sluice::metrics
