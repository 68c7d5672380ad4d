#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "metrics/families.hpp"
#include "metrics/registry.hpp"

namespace sluice::metrics {

/// The registry's insides, shared with `queue_metrics` (internal to metrics/).
struct registry::impl {
  std::shared_ptr<prometheus::Registry> prom = std::make_shared<prometheus::Registry>();
  families fams{*prom};

  /// Guards `by_queue`, `alive` and every queue's oldest timestamp.
  std::mutex mutex;
  /// One `queue_metrics` per (account, queue) while anyone holds it: a queue
  /// deleted and made again under the same name shares the series instead of
  /// the old holder removing them under the new one.
  std::map<std::pair<std::string, std::string>, std::weak_ptr<queue_metrics>> by_queue;
  /// Alive, for the age refresh at scrape time.
  std::set<queue_metrics*> alive;

  /// The series of one (route, method, status class): found once, then
  /// counted without building label maps (which cost allocations and the
  /// family's lock on every request).
  struct http_series {
    prometheus::Counter* requests = nullptr;
    prometheus::Histogram* duration = nullptr;
  };
  /// Guards `http`.
  std::mutex http_mutex;
  std::map<std::tuple<std::string, std::string, int>, http_series, std::less<>> http;
};

} // namespace sluice::metrics
