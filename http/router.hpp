#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace sluice::http {

/// Path parameters captured by `{name}` segments, in pattern order.
using path_params = std::vector<std::string>;

/// The metric labels of a request, from a bounded set: its route's name and
/// method, else "unknown" (no such path) or "method_not_allowed", and "other".
struct route_labels {
  std::string route;
  std::string method;
};

/// Maps method + path pattern to a handler. Patterns are literal segments and
/// `{name}` captures, e.g. "/client/v4/accounts/{account}/queues/{queue_id}".
/// Built once at start-up, then read-only: `dispatch` may run on any thread.
class router {
public:
  using handler = std::function<void(request&, path_params&, responder)>;

  /// `name` is the route's metric label (bounded, e.g. "queues.get").
  void add(std::string name, std::string method, std::string_view pattern, handler h);

  /// Runs the matching handler, or answers 404 (no such path) / 405 (path
  /// known, method not). Returns the request's labels, with which the server
  /// counts the response it writes (whoever answers: handler, 404, or 504).
  route_labels dispatch(request req, responder reply) const;

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

/// Splits `path` on '/' after its leading one, keeping empty segments, so that
/// `/a//b` and `/a/` match no route of `/a/{x}` or `/a` (exact paths only).
std::vector<std::string_view> split_path(std::string_view path);

} // namespace sluice::http
