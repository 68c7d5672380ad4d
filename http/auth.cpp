#include "http/auth.hpp"

#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "actors/control/crypto.hpp"
#include "http/envelope.hpp"
#include "http/permissions.hpp"
#include "metrics/registry.hpp"

namespace sluice::http {

bool valid_account_id(std::string_view account) {
  if (account.empty() || account.size() > 64)
    return false;
  for (char c : account) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
              || c == '-';
    if (!ok)
      return false;
  }
  return true;
}

namespace {

/// Counts and limits a 401, and logs failures at most once per interval.
void refused(api_context& ctx, const request& req) {
  if (ctx.auth_limits != nullptr)
    ctx.auth_limits->failed(req.peer);
  if (ctx.metrics != nullptr)
    ctx.metrics->auth_failed("rejected");
  if (auto n = ctx.auth_log.pass())
    spdlog::warn("{} request(s) refused for a missing or unknown API token in the last 10 s, "
                 "the latest from {} ({} {})",
                 n, req.peer.empty() ? "an unknown address" : req.peer, req.method, req.path);
}

} // namespace

void authorize(api_context& ctx, const request& req, std::string_view account, uint32_t permission,
               std::function<void(principal)> proceed, responder reply) {
  if (!valid_account_id(account)) {
    reply(fail(errc::invalid_request,
               "account id must be 1-64 characters of letters, digits, '_' or '-'"));
    return;
  }
  if (ctx.dev_mode) {
    proceed(principal{"dev", std::string{storage::all_accounts}, storage::perm_admin});
    return;
  }
  if (ctx.auth_limits != nullptr) {
    if (auto wait = ctx.auth_limits->blocked_for(req.peer)) {
      if (ctx.metrics != nullptr)
        ctx.metrics->auth_failed("limited");
      reply(fail_retry_after("too many failed authentications from " + req.peer + "; retry in "
                                 + std::to_string(wait) + " s with a valid token",
                             wait));
      return;
    }
  }
  constexpr std::string_view scheme = "Bearer ";
  std::string_view h = req.authorization;
  if (h.size() <= scheme.size() || h.substr(0, scheme.size()) != scheme) {
    refused(ctx, req);
    reply(fail(errc::unauthenticated, "missing API token: send 'Authorization: Bearer <token>'"));
    return;
  }
  auto p = ctx.tokens->find(sha256_hex(h.substr(scheme.size())));
  if (!p) {
    refused(ctx, req);
    reply(fail(errc::unauthenticated,
               "the API token is not valid; send 'Authorization: Bearer <token>' "
               "with a token from 'sluice tokens create' or the admin token"));
    return;
  }
  if (!p->covers(account)) {
    reply(fail(errc::forbidden,
               "this API token is not valid for account '" + std::string{account} + "'"));
    return;
  }
  if (!p->has(permission)) {
    reply(fail(errc::forbidden, "this API token lacks the '"
                                    + std::string{name_of_permission(permission)}
                                    + "' permission"));
    return;
  }
  proceed(std::move(*p));
}

} // namespace sluice::http
