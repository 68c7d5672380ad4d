#include "metrics/queue_metrics.hpp"

#include <algorithm>
#include <map>

#include "metrics/registry_impl.hpp"

namespace sluice::metrics {

namespace {

using labels = std::map<std::string, std::string>;

const char* type_name(consumer_type t) {
  switch (t) {
    case consumer_type::worker:
      return "worker";
    case consumer_type::http:
      return "http";
    case consumer_type::none:
      break;
  }
  return "";
}

/// Index of a read or retry series: worker 0, http (and none) 1.
size_t type_index(consumer_type t) {
  return t == consumer_type::worker ? 0 : 1;
}

constexpr std::array<consumer_type, 2> delivered_types{consumer_type::worker, consumer_type::http};
constexpr std::array<delete_outcome, 3> settled{delete_outcome::success, delete_outcome::dlq,
                                                delete_outcome::fail};

const char* outcome_name(delete_outcome o) {
  switch (o) {
    case delete_outcome::success:
      return "success";
    case delete_outcome::dlq:
      return "dlq";
    case delete_outcome::fail:
      return "fail";
    case delete_outcome::expired:
      break;
  }
  return "expired";
}

} // namespace

uint64_t billable_chunks(uint64_t bytes) {
  constexpr uint64_t chunk = 64000; // 64 KB, 1 KB = 1000 B as in the size limits (docs/api.md)
  return std::max<uint64_t>(1, (bytes + chunk - 1) / chunk);
}

queue_metrics::queue_metrics(registry& owner, const std::string& account, const std::string& queue)
  : owner_(owner), account_(account), queue_(queue) {
  auto& f = owner.impl_->fams;
  const labels q{{"account", account}, {"queue", queue}};
  auto with = [&q](std::initializer_list<std::pair<const std::string, std::string>> more) {
    labels l = q;
    l.insert(more);
    return l;
  };
  backlog_ = &f.backlog.Add(q);
  bytes_ = &f.backlog_bytes.Add(q);
  age_ = &f.oldest_age.Add(q);
  delayed_ = &f.delayed.Add(q);
  in_flight_ = &f.in_flight.Add(q);
  concurrency_ = &f.concurrency.Add(q);
  max_concurrency_ = &f.max_concurrency.Add(q);
  auto op = [&](const char* action, consumer_type t, const char* outcome) {
    return &f.operations.Add(
        with({{"action", action}, {"consumer_type", type_name(t)}, {"outcome", outcome}}));
  };
  writes_ = op("write", consumer_type::none, "success");
  for (auto t : delivered_types) {
    auto i = type_index(t);
    reads_[i] = op("read", t, "success");
    for (size_t o = 0; o < settled.size(); ++o)
      deletes_[i * settled.size() + o] = op("delete", t, outcome_name(settled[o]));
    retries_[i] = &f.retries.Add(with({{"consumer_type", type_name(t)}}));
    lag_[i] = &f.lag.Add(with({{"consumer_type", type_name(t)}}), families::lag_buckets());
  }
  expired_ = op("delete", consumer_type::none, "expired");
  const char* actions[] = {"write", "read", "delete"};
  for (size_t a = 0; a < billable_.size(); ++a)
    billable_[a] = &f.billable.Add(with({{"action", actions[a]}}));
  size_ = &f.message_size.Add(q, families::size_buckets());
  invocation_seconds_ = &f.invocation_duration.Add(q, families::invocation_buckets());
  invocation_failures_ = &f.invocation_failures.Add(q);
}

queue_metrics::~queue_metrics() {
  auto& i = *owner_.impl_;
  std::lock_guard<std::mutex> lock(i.mutex);
  i.alive.erase(this);
  auto slot = i.by_queue.find({account_, queue_});
  if (slot != i.by_queue.end()) {
    if (!slot->second.expired())
      return; // a newer holder of the same queue's series keeps them
    i.by_queue.erase(slot);
  }
  auto& f = i.fams;
  f.backlog.Remove(backlog_);
  f.backlog_bytes.Remove(bytes_);
  f.oldest_age.Remove(age_);
  f.delayed.Remove(delayed_);
  f.in_flight.Remove(in_flight_);
  f.concurrency.Remove(concurrency_);
  f.max_concurrency.Remove(max_concurrency_);
  f.operations.Remove(writes_);
  f.operations.Remove(expired_);
  for (auto* c : reads_)
    f.operations.Remove(c);
  for (auto* c : deletes_)
    f.operations.Remove(c);
  for (auto* c : billable_)
    f.billable.Remove(c);
  for (auto* c : retries_)
    f.retries.Remove(c);
  for (auto* h : lag_)
    f.lag.Remove(h);
  f.message_size.Remove(size_);
  f.invocation_duration.Remove(invocation_seconds_);
  f.invocation_failures.Remove(invocation_failures_);
  for (const auto& entry : consumer_backlog_)
    f.consumer_backlog.Remove(entry.second);
}

void queue_metrics::set_consumer_backlog(const std::string& consumer_id, uint64_t messages) {
  auto i = consumer_backlog_.find(consumer_id);
  if (i == consumer_backlog_.end()) {
    auto& g = owner_.impl_->fams.consumer_backlog.Add(
        {{"account", account_}, {"queue", queue_}, {"consumer", consumer_id}});
    i = consumer_backlog_.emplace(consumer_id, &g).first;
  }
  i->second->Set(static_cast<double>(messages));
}

void queue_metrics::forget_consumer(const std::string& consumer_id) {
  auto i = consumer_backlog_.find(consumer_id);
  if (i == consumer_backlog_.end())
    return;
  owner_.impl_->fams.consumer_backlog.Remove(i->second);
  consumer_backlog_.erase(i);
}

void queue_metrics::set_backlog(uint64_t messages, uint64_t bytes, int64_t oldest_timestamp_ms,
                                uint64_t delayed, uint64_t in_flight) {
  backlog_->Set(static_cast<double>(messages));
  bytes_->Set(static_cast<double>(bytes));
  delayed_->Set(static_cast<double>(delayed));
  in_flight_->Set(static_cast<double>(in_flight));
  std::lock_guard<std::mutex> lock(owner_.impl_->mutex);
  oldest_ms_ = oldest_timestamp_ms;
}

void queue_metrics::set_concurrency(uint32_t current, uint32_t max) {
  concurrency_->Set(current);
  max_concurrency_->Set(max);
}

void queue_metrics::written(uint64_t bytes) {
  writes_->Increment();
  billable_[0]->Increment(static_cast<double>(billable_chunks(bytes)));
  size_->Observe(static_cast<double>(bytes));
}

void queue_metrics::delivered(consumer_type to, uint64_t bytes, double lag_seconds) {
  auto i = type_index(to);
  reads_[i]->Increment();
  billable_[1]->Increment(static_cast<double>(billable_chunks(bytes)));
  lag_[i]->Observe(std::max(0.0, lag_seconds));
}

void queue_metrics::deleted(consumer_type by, delete_outcome outcome, uint64_t bytes) {
  if (outcome == delete_outcome::expired) {
    expired_->Increment();
    return;
  }
  deletes_[type_index(by) * settled.size() + static_cast<size_t>(outcome)]->Increment();
  billable_[2]->Increment(static_cast<double>(billable_chunks(bytes)));
}

void queue_metrics::retried(consumer_type by) {
  retries_[type_index(by)]->Increment();
}

void queue_metrics::invoked(double seconds, bool failed) {
  invocation_seconds_->Observe(seconds);
  if (failed)
    invocation_failures_->Increment();
}

void queue_metrics::refresh_age(int64_t now_ms) {
  age_->Set(oldest_ms_ == 0 ? 0.0 : std::max<int64_t>(0, now_ms - oldest_ms_) / 1000.0);
}

} // namespace sluice::metrics
