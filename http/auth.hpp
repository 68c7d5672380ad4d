#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "actors/messages.hpp"
#include "http/api_context.hpp"
#include "http/message.hpp"

namespace sluice::http {

/// Checks that `req` may act on `account` with `permission` (docs/api.md): a
/// Bearer token the hub knows, scoped to that account (or all), carrying the
/// permission. Calls `proceed` with the caller's principal, or answers `reply`
/// with 400 (malformed account id), 401 (missing/unknown token) or 403 (wrong
/// account or permission). In dev mode every caller is an admin. Non-blocking.
void authorize(api_context& ctx, const request& req, std::string_view account, uint32_t permission,
               std::function<void(principal)> proceed, responder reply);

/// True for 1–64 chars of `[A-Za-z0-9_-]` (docs/api.md).
bool valid_account_id(std::string_view account);

} // namespace sluice::http
