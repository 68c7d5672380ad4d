#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::storage {

/// How many consumers a queue may have (docs/api.md, "Fan-out"): `single`
/// (Cloudflare's one consumer, the default) or `multi` (each of several
/// consumers gets every message).
enum class consumer_mode : uint8_t { single = 0, multi = 1 };

/// The wire name: "single" or "multi".
inline std::string_view consumer_mode_name(consumer_mode m) {
  return m == consumer_mode::multi ? "multi" : "single";
}

/// The mode named `name` ("single" or "multi"); false for anything else.
inline bool parse_consumer_mode(std::string_view name, consumer_mode& out) {
  if (name == "single")
    out = consumer_mode::single;
  else if (name == "multi")
    out = consumer_mode::multi;
  else
    return false;
  return true;
}

/// Settings of a queue (docs/api.md). Times in seconds.
struct queue_settings {
  uint32_t delivery_delay = 0;
  uint32_t message_retention_period = 345600;
  bool delivery_paused = false;
  consumer_mode mode = consumer_mode::single;
  /// Sends carrying a `dedup_id` that repeat one sent less than this many
  /// seconds ago are answered with the original id and store nothing
  /// (docs/api.md, "Deduplicated sends"); 0 turns the check off.
  uint32_t dedup_window_seconds = 300;
};

/// The kind of a queue's consumer (docs/api.md). `none` marks a record not yet
/// given a type (a consumer being created).
enum class consumer_type : uint8_t { none = 0, http_pull, worker };

/// The wire name: "http_pull", "worker" ("" for `none`).
inline std::string_view consumer_type_name(consumer_type t) {
  switch (t) {
    case consumer_type::http_pull:
      return "http_pull";
    case consumer_type::worker:
      return "worker";
    default:
      return "";
  }
}

/// The type named `name` ("http_pull" or "worker"); false for anything else.
inline bool parse_consumer_type(std::string_view name, consumer_type& out) {
  if (name == "http_pull")
    out = consumer_type::http_pull;
  else if (name == "worker")
    out = consumer_type::worker;
  else
    return false;
  return true;
}

/// A queue's consumer (docs/api.md), persisted in `meta` under its queue.
/// Settings that do not apply to the type keep their defaults.
struct consumer_record {
  std::string id; ///< 32 hex
  consumer_type type = consumer_type::none;
  std::string script_name;       ///< worker only
  std::string dead_letter_queue; ///< queue name, "" if none
  int64_t created_ms = 0;
  uint32_t batch_size = 5;
  uint32_t max_retries = 3;
  uint32_t retry_delay = 0;               ///< seconds
  uint32_t visibility_timeout_ms = 30000; ///< http_pull
  uint32_t max_wait_time_ms = 5000;       ///< worker
  uint32_t max_concurrency = 0;           ///< worker; 0 = automatic
  /// Which shard set of its queue the consumer reads (docs/architecture.md,
  /// "Fan-out"): slot k owns shards [k*S, k*S+S). Always 0 on a single-consumer
  /// queue; records written before fan-out existed decode as 0.
  uint16_t slot = 0;
};

/// A queue as persisted in the `meta` family. Times are Unix epoch ms.
struct queue_record {
  std::string account;
  std::string id;   ///< 32 lowercase hex chars
  std::string name; ///< unique per account, immutable
  int64_t created_ms = 0;
  int64_t modified_ms = 0;
  queue_settings settings;
  /// Not part of the queue's own record: stored under `consumer_key` and
  /// attached by the hub (at most one unless `settings.mode` is multi).
  std::vector<consumer_record> consumers;
  /// Where Cloudflare would keep the queue's data: "eu", "us", "fedramp", or
  /// "" (none given). Set at creation only; Sluice stores and returns it.
  std::string jurisdiction = {};
};

/// Permission bits a token carries (docs/api.md).
enum permission : uint32_t {
  perm_queues_read = 1u << 0,
  perm_queues_write = 1u << 1,
  perm_events_publish = 1u << 2,
  perm_admin = 1u << 3,
};

/// The wire names of the permission bits (docs/api.md): one table for the API
/// and the audit log.
struct permission_name {
  uint32_t bit;
  std::string_view name;
};

inline constexpr permission_name permission_names[] = {
    {perm_queues_read, "queues_read"},
    {perm_queues_write, "queues_write"},
    {perm_events_publish, "events_publish"},
    {perm_admin, "admin"},
};

/// The account value of a token valid for every account.
inline constexpr std::string_view all_accounts = "*";

/// An API token as persisted in the `meta` family. Only the SHA-256 of the
/// secret is stored, never the secret.
struct token_record {
  std::string id;           ///< public identifier (32 hex)
  std::string hash;         ///< hex SHA-256 of the secret
  std::string account;      ///< one account id, or `all_accounts`
  uint32_t permissions = 0; ///< bit set of `permission`
  std::string name;
  int64_t created_ms = 0;
};

/// An event subscription (docs/events.md): events of `source_type` named in `events`
/// go, while `enabled`, to queue `queue_id` of the same account.
struct subscription_record {
  std::string account;
  std::string id; ///< 32 hex
  std::string name;
  std::string source_type; ///< e.g. "workersAi.model"
  /// The source's filter fields, snake_case as the API has them (e.g.
  /// {"model_name", "@cf/meta/llama"}); the catalog says which are required.
  std::vector<std::pair<std::string, std::string>> source_fields;
  std::vector<std::string> events; ///< e.g. "batch.queued"
  std::string queue_id;            ///< destination
  bool enabled = true;
  int64_t created_ms = 0;
  int64_t modified_ms = 0;
};

/// A deployed script (docs/plugins.md): a named instance of a consumer plugin with its
/// variables, as a Worker is a deployed script with its bindings.
struct script_record {
  std::string account;
  std::string name;   ///< unique per account; what a worker consumer's script_name names
  std::string plugin; ///< the plugin it runs (built-in or in the plugin directory)
  std::vector<std::pair<std::string, std::string>> env; ///< sorted by name
  int64_t created_ms = 0;
  int64_t modified_ms = 0;
};

/// One entry of the audit log (docs/audit.md): who changed what, when.
/// Written in the same batch as the change it records. `details` never holds
/// a token secret or a script variable's value, only names and settings.
struct audit_record {
  uint64_t seq = 0;          ///< monotonic across the process and restarts; the entry's id
  int64_t time_ms = 0;       ///< Unix epoch ms of the change
  std::string account;       ///< the account of the changed resource
  std::string caller;        ///< token id of the caller ("dev" in --dev mode)
  std::string action;        ///< e.g. "CreateQueue" (see actors/control/audit_log.hpp)
  std::string resource_type; ///< queue, consumer, subscription, token or script
  std::string resource_id;
  std::string resource_name;
  std::vector<std::pair<std::string, std::string>> details; ///< what changed, in order
};

} // namespace sluice::storage
