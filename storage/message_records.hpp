#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::storage {

/// How a message body is to be read (docs/api.md).
enum class content_type : uint8_t { json = 0, text = 1, bytes = 2 };

/// "json", "text" or "bytes" (unknown values read as json).
const char* content_type_name(content_type type);

/// The immutable part of a stored message (`messages` family): written once
/// at send, deleted at ack.
struct stored_message {
  int64_t timestamp_ms = 0; ///< send time (kept across a dead-letter move)
  content_type type = content_type::json;
  std::string body;
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
};

} // namespace sluice::storage
