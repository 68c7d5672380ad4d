#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>

#include "storage/records.hpp"

/// The typed message vocabulary between the HTTP layer and the actors, and
/// between actors. Every struct has an `inspect` overload; all are registered
/// once in `actors/type_ids.hpp`.

namespace sluice::storage {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, queue_settings& x) {
  return f(caf::meta::type_name("queue_settings"), x.delivery_delay, x.message_retention_period,
           x.delivery_paused, x.mode, x.dedup_window_seconds);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, consumer_record& x) {
  return f(caf::meta::type_name("consumer_record"), x.id, x.type, x.script_name,
           x.dead_letter_queue, x.created_ms, x.batch_size, x.max_retries, x.retry_delay,
           x.visibility_timeout_ms, x.max_wait_time_ms, x.max_concurrency, x.slot);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, queue_record& x) {
  return f(caf::meta::type_name("queue_record"), x.account, x.id, x.name, x.created_ms,
           x.modified_ms, x.settings, x.consumers, x.jurisdiction);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, token_record& x) {
  return f(caf::meta::type_name("token_record"), x.id, x.hash, x.account, x.permissions, x.name,
           x.created_ms);
}

} // namespace sluice::storage

namespace sluice {

/// The longest free-text name a client may give a record (tokens,
/// subscriptions), in bytes; longer ones get 400 (docs/api.md).
inline constexpr size_t max_name_bytes = 255;

/// Who is calling: the account scope and permissions of the presented token.
struct principal {
  std::string token_id;
  std::string account; ///< one account id, or `storage::all_accounts`
  uint32_t permissions = 0;

  /// True if the token may act on `acct` at all.
  bool covers(std::string_view acct) const {
    return account == storage::all_accounts || account == acct;
  }

  /// True if the token carries every permission in `perm` (admin implies
  /// all of them).
  bool has(uint32_t perm) const {
    return (permissions & storage::perm_admin) != 0 || (permissions & perm) == perm;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, principal& x) {
  return f(caf::meta::type_name("principal"), x.token_id, x.account, x.permissions);
}

/// Queue settings as sent by a client: absent fields are unset. Values are
/// kept wide so that the hub, not the parser, judges their range.
struct settings_patch {
  caf::optional<int64_t> delivery_delay;
  caf::optional<int64_t> message_retention_period;
  caf::optional<bool> delivery_paused;
  /// "single" or "multi" as sent (checked by `apply_settings`).
  caf::optional<std::string> consumer_mode = caf::none;
  caf::optional<int64_t> dedup_window_seconds = caf::none;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, settings_patch& x) {
  return f(caf::meta::type_name("settings_patch"), x.delivery_delay, x.message_retention_period,
           x.delivery_paused, x.consumer_mode, x.dedup_window_seconds);
}

/// Create a queue. Reply: the new `queue_record`, or `invalid_request`
/// (also for a `jurisdiction` other than those of `check_jurisdiction`),
/// `queue_name_taken`, `queue_limit`, `storage_failure`.
struct create_queue {
  std::string account;
  std::string name;
  settings_patch settings;
  /// Token id of the caller, for the audit log ("dev" in --dev mode).
  std::string caller = {};
  caf::optional<std::string> jurisdiction = {}; ///< unset: none
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, create_queue& x) {
  return f(caf::meta::type_name("create_queue"), x.account, x.name, x.settings, x.caller,
           x.jurisdiction);
}

/// List the queues of an account, oldest first. Reply: `queue_list`.
struct list_queues {
  std::string account;
  std::string name; ///< when non-empty, only the queue with this exact name
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, list_queues& x) {
  return f(caf::meta::type_name("list_queues"), x.account, x.name);
}

using queue_list = std::vector<storage::queue_record>;

/// Read one queue. Reply: `queue_record`, or `queue_not_found`.
struct get_queue {
  std::string account;
  std::string queue_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, get_queue& x) {
  return f(caf::meta::type_name("get_queue"), x.account, x.queue_id);
}

/// Change a queue's settings: `replace` (PUT) resets unset fields to their
/// defaults, otherwise (PATCH) unset fields keep their value. Reply: the
/// updated `queue_record`, or `queue_not_found`, `invalid_request` (also for
/// an attempt to rename or to change the jurisdiction: both are immutable),
/// `storage_failure`.
struct update_queue {
  std::string account;
  std::string queue_id;
  settings_patch settings;
  bool replace = false;
  caf::optional<std::string> name; ///< if sent, must equal the current name
  /// Token id of the caller, for the audit log ("dev" in --dev mode).
  std::string caller = {};
  /// If sent, must be a valid jurisdiction equal to the current one (a PUT
  /// without it keeps it: it is not a setting).
  caf::optional<std::string> jurisdiction = {};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, update_queue& x) {
  return f(caf::meta::type_name("update_queue"), x.account, x.queue_id, x.settings, x.replace,
           x.name, x.caller, x.jurisdiction);
}

/// Delete a queue with its messages. Reply: `caf::ok_atom`, or
/// `queue_not_found`, `storage_failure`.
struct delete_queue {
  std::string account;
  std::string queue_id;
  /// Token id of the caller, for the audit log ("dev" in --dev mode).
  std::string caller = {};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delete_queue& x) {
  return f(caf::meta::type_name("delete_queue"), x.account, x.queue_id, x.caller);
}

/// Mint an API token for `account` (or, with `all_accounts`, for every
/// account: only a caller whose own token covers all accounts may). The caller
/// was already checked for `admin` on `account`. Reply: `token_created`, or
/// `forbidden`, `invalid_request`, `storage_failure`.
struct create_token {
  principal caller;
  std::string account;
  std::string name;
  uint32_t permissions = 0;
  bool all_accounts = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, create_token& x) {
  return f(caf::meta::type_name("create_token"), x.caller, x.account, x.name, x.permissions,
           x.all_accounts);
}

/// A minted token: its record and the secret, which is never stored or shown
/// again.
struct token_created {
  storage::token_record record;
  std::string secret;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, token_created& x) {
  return f(caf::meta::type_name("token_created"), x.record, x.secret);
}

/// The tokens scoped to `account` (plus all-account tokens when the caller's
/// own token covers all accounts), oldest first. Reply: `token_list`.
struct list_tokens {
  principal caller;
  std::string account;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, list_tokens& x) {
  return f(caf::meta::type_name("list_tokens"), x.caller, x.account);
}

using token_list = std::vector<storage::token_record>;

/// Revoke token `token_id`, visible to the caller as in `list_tokens`; it
/// stops working at once. Reply: `caf::ok_atom`, or `not_found`,
/// `storage_failure`.
struct revoke_token {
  principal caller;
  std::string account;
  std::string token_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, revoke_token& x) {
  return f(caf::meta::type_name("revoke_token"), x.caller, x.account, x.token_id);
}

/// A consumer as sent by a client: absent fields are unset (wide types so
/// the hub judges ranges).
struct consumer_patch {
  caf::optional<std::string> type;
  caf::optional<std::string> script_name;
  caf::optional<std::string> dead_letter_queue;
  caf::optional<int64_t> batch_size;
  caf::optional<int64_t> max_retries;
  caf::optional<int64_t> retry_delay;
  caf::optional<int64_t> visibility_timeout_ms;
  caf::optional<int64_t> max_wait_time_ms;
  caf::optional<int64_t> max_concurrency;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, consumer_patch& x) {
  return f(caf::meta::type_name("consumer_patch"), x.type, x.script_name, x.dead_letter_queue,
           x.batch_size, x.max_retries, x.retry_delay, x.visibility_timeout_ms, x.max_wait_time_ms,
           x.max_concurrency);
}

/// Create the consumer of a queue (at most one), or with `consumer_id` set,
/// replace it (PUT). A named dead-letter queue that does not exist is
/// created. Reply: `storage::consumer_record`, or `queue_not_found`,
/// `consumer_exists`, `consumer_not_found`, `invalid_request`,
/// `storage_failure`.
struct put_consumer {
  std::string account;
  std::string queue_id;
  std::string consumer_id; ///< empty: create
  consumer_patch body;
  /// Token id of the caller, for the audit log ("dev" in --dev mode).
  std::string caller = {};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, put_consumer& x) {
  return f(caf::meta::type_name("put_consumer"), x.account, x.queue_id, x.consumer_id, x.body,
           x.caller);
}

/// Remove a queue's consumer. Reply: `caf::ok_atom`, or `queue_not_found`,
/// `consumer_not_found`, `storage_failure`.
struct delete_consumer {
  std::string account;
  std::string queue_id;
  std::string consumer_id;
  /// Token id of the caller, for the audit log ("dev" in --dev mode).
  std::string caller = {};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delete_consumer& x) {
  return f(caf::meta::type_name("delete_consumer"), x.account, x.queue_id, x.consumer_id, x.caller);
}

/// Sent by a store's write callback back to the actor that submitted the
/// write (see `persister`). `failure` is 0 on success, else the
/// `storage::store_errc`, with the store's message in `error`.
struct write_done {
  uint64_t ticket = 0;
  uint8_t failure = 0;
  std::string error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_done& x) {
  return f(caf::meta::type_name("write_done"), x.ticket, x.failure, x.error);
}

} // namespace sluice
