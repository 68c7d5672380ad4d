#pragma once

#include <cstdint>
#include <string>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>

namespace sluice {

/// Every failure an actor can reply with. `http/envelope.cpp` maps each code to
/// an HTTP status and a stable Cloudflare-style numeric code; the message
/// travels as the error's context (a single std::string a person can act on).
enum class errc : uint8_t {
  none = 0,
  unauthenticated,        ///< missing or unknown token → 401
  forbidden,              ///< token lacks a permission or the account → 403
  invalid_request,        ///< a field has a bad value or type → 400
  malformed_json,         ///< the body is not JSON → 400
  not_found,              ///< no such route → 404
  method_not_allowed,     ///< route exists, method does not → 405
  queue_not_found,        ///< unknown queue id → 404
  queue_name_taken,       ///< duplicate queue name in the account → 409
  queue_limit,            ///< the account holds the maximum number of queues → 409
  consumer_exists,        ///< a queue has at most one consumer → 409
  consumer_not_found,     ///< unknown consumer id → 404
  subscription_not_found, ///< unknown event subscription id → 404
  script_not_found,       ///< unknown script name → 404
  script_in_use,          ///< deleting a script a worker consumer names → 409
  too_large,              ///< request body over the limit → 413
  queue_paused,           ///< pull on a paused queue → 409 (queue_delivery_paused)
  batch_too_large,        ///< batch over 256 KB → 413
  too_many_messages,      ///< batch over 100 messages → 400
  too_many_requests,      ///< over a per-queue bound → 429
  storage_failure,        ///< the disk refused a write → 500
  storage_full,           ///< the disk is full → 507 (writes resume once space is freed)
  overloaded,             ///< shutting down or over a bound → 503
  timeout,                ///< an actor did not answer in time → 504
  redrive_running,        ///< a redrive task runs on the queue already → 409
  redrive_not_found,      ///< the queue has no (running) redrive task → 404
  /// Cluster mode: no leader is known, this node cannot reach it, or
  /// leadership moved while the write was in flight → 503 (retry)
  unavailable,
};

/// The CAF error category of `errc` (registered by `add_message_types`).
inline constexpr caf::atom_value errc_category = caf::atom("sluice");

/// Builds a CAF error carrying `msg` as its human-readable context.
inline caf::error make_error(errc code, std::string msg) {
  return caf::error{static_cast<uint8_t>(code), errc_category, caf::make_message(std::move(msg))};
}

/// The error an actor replies with when a store operation failed: `what`
/// names what could not be done ("could not store the messages"), `detail`
/// is the store's message; a full disk (`store_errc::no_space`) is
/// `storage_full`, every other failure `storage_failure`.
caf::error storage_error(uint8_t store_code, const std::string& what, const std::string& detail);

/// The answer to a request naming queue `id` that the account does not own.
caf::error queue_not_found(const std::string& id);

/// The human-readable message of an error made by `make_error`, or a generic
/// text for errors from CAF itself.
std::string error_message(const caf::error& e);

/// The `errc` of `e`; CAF's own errors map to `timeout` (request timeouts) or
/// `overloaded` (actor gone, system shutting down).
errc error_code(const caf::error& e);

} // namespace sluice
