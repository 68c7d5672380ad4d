#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::events {

/// Everything that goes into one delivered event message. Plain data; the caller
/// fills it per subscription (the subscription id differs per delivery).
struct envelope_fields {
  /// The source type, e.g. "workersAi.model".
  std::string source_type;
  /// Extra `source` members in order, camelCase keys, string values,
  /// e.g. {"modelName", "@cf/x"} (see camel_case()).
  std::vector<std::pair<std::string, std::string>> source_fields;
  /// The event name without the source, e.g. "batch.queued".
  std::string event;
  /// The payload as JSON text, inserted verbatim: the caller passes a validated
  /// JSON object. Empty text is written as {}.
  std::string payload_json;
  /// `metadata.accountId`, `metadata.eventSubscriptionId` and the top-level `id`.
  std::string account_id, subscription_id, event_id;
  /// `metadata.eventSchemaVersion`: the version the payload was validated against.
  int schema_version = 1;
  /// `metadata.eventTimestamp`, RFC 3339 in UTC, e.g. "2026-11-23T10:00:00.000Z".
  std::string event_timestamp;
};

/// The message body delivered to a subscription's queue (docs/events.md):
/// {"type":"cf.<source>.<event>","source":{"type":<source>, ...source_fields},"payload":{...},
///  "metadata":{"accountId":..,"eventSubscriptionId":..,"eventSchemaVersion":N,"eventTimestamp":..},"id":<event_id>}
/// Compact JSON; every string is escaped (quotes, backslashes, control characters).
/// Pure function, callable from any thread.
std::string envelope_json(const envelope_fields& f);

/// snake_case subscription field → camelCase envelope key ("model_name" → "modelName").
/// Each underscore is dropped and the letter after it upper-cased; other characters
/// are kept as they are.
std::string camel_case(std::string_view snake);

/// Appends `s` to `out` as a quoted JSON string, escaping quotes, backslashes and
/// every control character below 0x20; valid UTF-8 is copied as it is, and a byte
/// that is not part of a valid UTF-8 sequence becomes U+FFFD, so the result is
/// always valid JSON.
/// The project's one JSON string escaper: http's json_writer uses it too.
void append_json_string(std::string& out, std::string_view s);

} // namespace sluice::events
