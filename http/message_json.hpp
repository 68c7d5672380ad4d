#pragma once

#include <optional>
#include <string>

#include <simdjson.h>

#include "actors/data_messages.hpp"
#include "actors/errc.hpp"
#include "actors/fanout_messages.hpp"
#include "actors/queue/message_rules.hpp"
#include "http/json_writer.hpp"

namespace sluice::http {

/// A bad-input finding: `code` is `errc::none` when there is none.
struct problem {
  errc code = errc::none;
  std::string message;
  explicit operator bool() const { return code != errc::none; }
};

/// Reads one message `{body, content_type?, delay_seconds?}` into `out`, the
/// body as it will be stored: `json` as compact JSON text, `text` as the
/// string, `bytes` base64-decoded. `path` prefixes field names in messages
/// (e.g. "messages[3]."). Refuses `v8`, unknown content types and bodies over
/// `max_message_bytes`.
problem read_message(simdjson::dom::object obj, const std::string& path, outgoing_message& out);

/// Takes a single send's Idempotency-Key header (if sent) as its dedup id
/// (docs/api.md, "Deduplicated sends"). Empty when fine, else a message
/// naming the header: it breaks the dedup id's rules, or `m` has another
/// `dedup_id`.
std::string read_idempotency_key(const std::optional<std::string>& key, outgoing_message& m);

/// Writes a pulled message as docs/api.md says: `text` bodies raw, `json` and
/// `bytes` base64 encoded, with `metadata` naming the content type, and
/// `dead_letter` for a message dead-lettered into this queue.
/// `id_key` names the opaque id: "lease_id" for pulls, "ref" for peeks.
void write_pulled(json_writer& w, const pulled_message& m, const char* id_key = "lease_id");

/// `"dead_letter": {source_queue_id, source_queue_name, consumer_id, reason,
/// last_error (null if none), attempts, dead_lettered_at_ms}` (a key and its
/// object, inside an object being written).
void write_dead_letter(json_writer& w, const storage::dead_letter_origin& d);

/// `{"metrics": {backlog_count, backlog_bytes, oldest_message_timestamp_ms}}`.
std::string metrics_json(const queue_stats& s, bool wrap = true);

/// The body of GET …/metrics: `metrics_json(total, false)`, plus, for a
/// fan-out queue, `consumers`: each consumer's backlog (docs/api.md).
std::string queue_metrics_json(const queue_stats& total, const consumer_backlogs& consumers);

/// The wire name of a content type.
const char* content_type_name(uint8_t type);

} // namespace sluice::http
