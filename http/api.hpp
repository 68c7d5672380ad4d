#pragma once

#include "http/api_context.hpp"
#include "http/router.hpp"

namespace sluice::http {

/// Operational routes: `/healthz`, `/readyz`, `/metrics` (no auth).
void add_ops_routes(router& r, api_context& ctx);

/// The queue control plane under `/client/v4/accounts/{account}/queues`.
void add_queue_routes(router& r, api_context& ctx);

/// Every route of the server.
inline void add_all_routes(router& r, api_context& ctx) {
  add_ops_routes(r, ctx);
  add_queue_routes(r, ctx);
}

} // namespace sluice::http
