#include "metrics/registry.hpp"

#include <mutex>
#include <unordered_map>

#include <prometheus/counter.h>
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
};

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

std::string registry::expose() const {
  return prometheus::TextSerializer{}.Serialize(impl_->prom->Collect());
}

prometheus::Registry& registry::prom() {
  return *impl_->prom;
}

} // namespace sluice::metrics
