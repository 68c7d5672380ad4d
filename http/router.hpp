#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace sluice::metrics {
class registry;
} // namespace sluice::metrics

namespace sluice::http {

/// Path parameters captured by `{name}` segments, in pattern order.
using path_params = std::vector<std::string>;

/// Maps method + path pattern to a handler. Patterns are literal segments and
/// `{name}` captures, e.g. "/client/v4/accounts/{account}/queues/{queue_id}".
/// Built once at start-up, then read-only: `dispatch` may run on any thread.
class router {
public:
  using handler = std::function<void(request&, path_params&, responder)>;

  /// `name` is the route's metric label (bounded, e.g. "queues.get").
  void add(std::string name, std::string method, std::string_view pattern, handler h);

  /// Runs the matching handler, or answers 404 (no such path) / 405 (path
  /// known, method not). Counts the request and its latency in `metrics`
  /// when the response is sent.
  void dispatch(request req, responder reply, metrics::registry* metrics) const;

private:
  struct route {
    std::string name;
    std::string method;
    std::vector<std::string> segments; // "{...}" captures
    handler fn;
  };

  static bool match(const route& r, const std::vector<std::string_view>& parts,
                    path_params& params);

  std::vector<route> routes_;
};

/// Splits `path` on '/', dropping empty segments.
std::vector<std::string_view> split_path(std::string_view path);

} // namespace sluice::http
