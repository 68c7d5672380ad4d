#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::storage {

/// How a message body is to be read (docs/api.md).
enum class content_type : uint8_t { json = 0, text = 1, bytes = 2 };

/// "json", "text" or "bytes" (unknown values read as json).
const char* content_type_name(content_type type);

/// Why a message out of retries was dead-lettered (docs/api.md).
inline constexpr std::string_view dead_letter_reason_retries = "retries_exhausted";

/// Where a dead-lettered message came from and why (docs/api.md,
/// "Dead-lettered messages"): stored with the message in the dead-letter queue.
struct dead_letter_origin {
  std::string queue_id;    ///< the queue it was dead-lettered from (32 hex)
  std::string queue_name;  ///< that queue's name then (names are immutable)
  std::string consumer_id; ///< the consumer whose retries ran out ("" if none)
  std::string reason;      ///< `dead_letter_reason_retries`
  /// The last failure a plugin (or the webhook) reported for a delivery of the
  /// message, e.g. "exception: webhook: POST … answered HTTP 500"; "" if none.
  std::string last_error;
  uint32_t attempts = 0;        ///< deliveries it had in that queue
  int64_t dead_lettered_ms = 0; ///< when it was moved (Unix epoch ms)
};

/// The immutable part of a stored message (`messages` family): written once
/// at send, deleted at ack.
struct stored_message {
  int64_t timestamp_ms = 0; ///< send time (kept across a dead-letter move)
  content_type type = content_type::json;
  std::string body;
  /// The public id, when it was kept from another queue (a dead-letter move);
  /// "" for a message sent here, whose id derives from its key.
  std::string id = {};
  std::optional<dead_letter_origin> dead_letter = {};
};

/// The mutable delivery state of a message (`state` family): small, so a
/// lease or retry never rewrites the body. A message without a state record
/// has the default one (never delivered, deliverable at once): a send writes
/// the record only for a delayed message.
struct delivery_state {
  uint32_t attempts = 0;     ///< deliveries so far
  int64_t visible_at_ms = 0; ///< not deliverable before this time
  /// Leased to a push consumer, which runs inside the hub: after a restart
  /// nobody holds that lease any more, so recovery makes the message
  /// deliverable at once instead of at the lease's deadline (a pull consumer
  /// may still hold its lease across a restart, so its deadline stands).
  bool pushed = false;
  /// The last failure a plugin reported for a delivery of this message ("" if
  /// none; at most `max_last_error_bytes`): what a dead-letter move records.
  std::string last_error = {};
};

/// Longest `delivery_state::last_error` kept, in bytes (longer ones are cut).
inline constexpr size_t max_last_error_bytes = 1000;

} // namespace sluice::storage
