#pragma once

#include <string>
#include <string_view>

#include "http/api_context.hpp"
#include "http/router.hpp"

namespace sluice::http {

/// A route handler that needs the API context.
using api_handler = void (*)(api_context&, request&, path_params&, responder);

/// Adapts an `api_handler` to the router's handler type.
inline router::handler with_context(api_context& ctx, api_handler fn) {
  return [&ctx, fn](request& req, path_params& params, responder reply) {
    fn(ctx, req, params, std::move(reply));
  };
}

/// Operational routes: `/healthz`, `/readyz`, `/metrics` (no auth).
void add_ops_routes(router& r, api_context& ctx);

/// The queue control plane under `/client/v4/accounts/{account}/queues`.
void add_queue_routes(router& r, api_context& ctx);

/// Token administration under `/client/v4/accounts/{account}/sluice/tokens`
/// (admin permission).
void add_token_routes(router& r, api_context& ctx);

/// The budget a request's body counts against besides the process-wide one
/// (`server_options::budget_key`): "ACCOUNT/QUEUE_ID" for a send or batch
/// send, empty for everything else.
std::string send_budget_key(std::string_view method, std::string_view target);

/// The data plane: send, batch send, pull, ack, per-queue metrics.
void add_message_routes(router& r, api_context& ctx);

/// The consumers API under `/queues/{queue_id}/consumers` (worker and http_pull).
void add_consumer_routes(router& r, api_context& ctx);

/// Event subscriptions, the event catalog and publishing under
/// `/client/v4/accounts/{account}/event_subscriptions`.
void add_event_routes(router& r, api_context& ctx);

/// Scripts (deployed consumer plugins) and the plugin list under
/// `/client/v4/accounts/{account}/sluice/`.
void add_script_routes(router& r, api_context& ctx);

/// The audit log under `/client/v4/accounts/{account}/sluice/audit` (admin
/// permission).
void add_audit_routes(router& r, api_context& ctx);

/// Redrive tasks under `/queues/{queue_id}/redrive` (docs/api.md, "Redrive").
void add_redrive_routes(router& r, api_context& ctx);

/// The web console: `GET /` and `GET /console/{file}`, assets compiled into
/// the binary, served without auth (every API call they make carries a token).
void add_console_routes(router& r, api_context& ctx);

/// Cluster status and membership under `/client/v4/cluster` (docs/cluster.md;
/// admin of all accounts).
void add_cluster_routes(router& r, api_context& ctx);
/// Every route of the server.
inline void add_all_routes(router& r, api_context& ctx) {
  add_ops_routes(r, ctx);
  add_queue_routes(r, ctx);
  add_token_routes(r, ctx);
  add_message_routes(r, ctx);
  add_consumer_routes(r, ctx);
  add_event_routes(r, ctx);
  add_script_routes(r, ctx);
  add_audit_routes(r, ctx);
  add_redrive_routes(r, ctx);
  add_console_routes(r, ctx);
  add_cluster_routes(r, ctx);
}

} // namespace sluice::http
