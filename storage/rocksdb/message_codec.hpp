#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/message_records.hpp"

/// The keys of the `messages` and `state` families and the codec of stored
/// messages and delivery states. Only `storage/rocksdb/` includes this.

namespace sluice::storage {

/// Bytes of a `messages` value before the body (format, timestamp, type) for
/// a message sent to its queue; one that kept its id from another queue (a
/// dead-letter move) has more (see `stored_body_bytes`).
inline constexpr size_t stored_message_header_bytes = 1 + 8 + 1;

/// Width of a binary queue id in keys (the 32 hex chars as 16 bytes).
inline constexpr size_t queue_key_bytes = 16;

/// Width of `shard_prefix`: the binary queue id and the shard number.
inline constexpr size_t shard_prefix_bytes = queue_key_bytes + 2;

/// Width of `message_key`.
inline constexpr size_t message_key_bytes = shard_prefix_bytes + 8;

/// `queue_id(16B) | shard(u16 BE) | seq(u64 BE)`: the key of one message in
/// both the `messages` and the `state` family. `queue_id` is 32 hex chars.
std::string message_key(std::string_view queue_id, uint16_t shard, uint64_t seq);

/// The same key from the shard's `shard_prefix` (cheaper when it is at hand).
std::string message_key_in(std::string_view shard_prefix, uint64_t seq);

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

/// The body size of an encoded `messages` value without copying the body
/// (recovery counts the bytes of cold messages); 0 if it is malformed.
size_t stored_body_bytes(std::string_view bytes);

/// The smallest key greater than every key that starts with `prefix`
/// (for range deletes over a prefix).
std::string prefix_end(std::string prefix);

} // namespace sluice::storage
