#include "http/api.hpp"

#include "http/ask.hpp"
#include "http/envelope.hpp"
#include "metrics/registry.hpp"

namespace sluice::http {

void add_ops_routes(router& r, api_context& ctx) {
  r.add(
      "healthz", "GET", "/healthz",
      [](request&, path_params&, responder reply) { reply(ok(R"({"status":"ok"})")); },
      route_scope::node);
  // In cluster mode a follower forwards this to the leader: ready means
  // requests reaching this node are served.
  // Ready when not draining and the hub answers.
  r.add("readyz", "GET", "/readyz", [&ctx](request&, path_params&, responder reply) {
    if (ctx.draining != nullptr && ctx.draining->load()) {
      reply(fail(errc::overloaded, "the server is shutting down"));
      return;
    }
    ask<queue_list>(
        *ctx.replies, ctx.hub.get(), list_queues{},
        answer<queue_list>(reply, [](const queue_list&) { return ok(R"({"status":"ready"})"); }));
  });
  r.add(
      "metrics", "GET", "/metrics",
      [&ctx](request&, path_params&, responder reply) {
        response res;
        res.content_type = "text/plain; version=0.0.4; charset=utf-8";
        res.body = ctx.metrics->expose();
        reply(std::move(res));
      },
      route_scope::node);
}

} // namespace sluice::http
