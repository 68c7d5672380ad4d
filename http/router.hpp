#pragma once

#include <cstdint>
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

/// Where a route runs in cluster mode (docs/cluster.md): on the node that
/// leads (forwarded there from any other node), or on the node it reached.
enum class route_scope : uint8_t {
  leader, ///< the API: needs the leader's hub and queues
  node,   ///< health, metrics, the console's files, this node's cluster status
};

/// Decides, before a `leader` route's handler runs, whether this node runs
/// it: returns false to let it run here, or true when it took the request
/// (forwarded it to the leader, or answered it, e.g. 503 with no leader).
using route_gate = std::function<bool(request&, responder&)>;

/// Maps method + path pattern to a handler. Patterns are literal segments and
/// `{name}` captures, e.g. "/client/v4/accounts/{account}/queues/{queue_id}".
/// Built once at start-up, then read-only: `dispatch` may run on any thread.
class router {
public:
  using handler = std::function<void(request&, path_params&, responder)>;

  /// `name` is the route's metric label (bounded, e.g. "queues.get").
  void add(std::string name, std::string method, std::string_view pattern, handler h,
           route_scope scope = route_scope::leader);
  /// Installs the gate `leader` routes pass (cluster mode); set before the
  /// server serves. None: every route runs here.
  void set_gate(route_gate gate) { gate_ = std::move(gate); }

  /// Runs the matching handler, or answers 404 (no such path) / 405 (path
  /// known, method not). Returns the request's labels, with which the server
  /// counts the response it writes (whoever answers: handler, 404, or 504).
  /// `gated` false skips the gate: a request forwarded by another node runs
  /// here (or fails) and is never forwarded again.
  route_labels dispatch(request req, responder reply, bool gated = true) const;

private:
  struct route {
    std::string name;
    std::string method;
    std::vector<std::string> segments; // "{...}" captures
    handler fn;
    route_scope scope;
  };

  static bool match(const route& r, const std::vector<std::string_view>& parts,
                    path_params& params);

  std::vector<route> routes_;
  route_gate gate_;
};

/// Splits `path` on '/' after its leading one, keeping empty segments, so that
/// `/a//b` and `/a/` match no route of `/a/{x}` or `/a` (exact paths only).
std::vector<std::string_view> split_path(std::string_view path);

} // namespace sluice::http
