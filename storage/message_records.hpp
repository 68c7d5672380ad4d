#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::storage {

/// How a message body is to be read (SPEC §1).
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

/// Bytes of a `messages` value before the body (format, timestamp, type).
inline constexpr size_t stored_message_header_bytes = 1 + 8 + 1;

/// Width of a binary queue id in keys (the 32 hex chars as 16 bytes).
inline constexpr size_t queue_key_bytes = 16;

/// `queue_id(16B) | shard(u16 BE) | seq(u64 BE)`: the key of one message in
/// both the `messages` and the `state` family. `queue_id` is 32 hex chars.
std::string message_key(std::string_view queue_id, uint16_t shard, uint64_t seq);

/// The first 18 bytes of every key of one shard.
std::string shard_prefix(std::string_view queue_id, uint16_t shard);

/// The first 16 bytes of every key of one queue.
std::string queue_messages_prefix(std::string_view queue_id);

/// The sequence number in a message key (0 if the key is malformed).
uint64_t seq_of_key(std::string_view key);

std::string encode(const stored_message& x);
std::string encode(const delivery_state& x);
std::optional<stored_message> decode_message(std::string_view bytes);
std::optional<delivery_state> decode_state(std::string_view bytes);

/// The smallest key greater than every key that starts with `prefix`
/// (for range deletes over a prefix).
std::string prefix_end(std::string prefix);

} // namespace sluice::storage
