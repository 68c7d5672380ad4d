#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "actors/data_messages.hpp"

/// The bounds (docs/api.md) of messages, pulls and acks, as pure functions.
/// Each returns an empty string when valid, else a message naming the field.

namespace sluice {

/// The message and batch limits (docs/api.md; 1 KB = 1000 B): the one definition, for the API and
/// the CLI.
inline constexpr size_t max_message_bytes = 128000;
inline constexpr size_t max_batch_bytes = 256000;
inline constexpr size_t max_batch_messages = 100;

inline constexpr int64_t max_delay_s = 86400;
inline constexpr int64_t default_pull_batch = 5;
inline constexpr int64_t max_pull_batch = 100;
inline constexpr int64_t default_visibility_ms = 30000;
inline constexpr int64_t max_visibility_ms = 43200000;
/// A long poll waits at most this long (SQS: 20 s), under the HTTP layer's 30 s deadline.
inline constexpr int64_t max_pull_wait_ms = 20000;

/// `delay_seconds` of a message, a batch or a retry: 0–86400 (24 h, as Cloudflare and wrangler
/// allow).
std::string check_delay(const char* field, const caf::optional<int64_t>& delay);

/// The delay that applies to `m` (docs/api.md): the message's own, else the
/// batch's, else the queue's `delivery_delay`. An explicit 0 means none.
int64_t effective_delay(const outgoing_message& m, const caf::optional<int64_t>& batch_delay,
                        uint32_t queue_delay);

/// Checks the delays of `req` and moves its messages into `out` as the items
/// to store, sent at `now_ms` (visible once their delay is over). On error
/// (a delay out of range, naming its field) `out` is left empty.
std::string to_append_items(send_messages& req, uint32_t queue_delay, int64_t now_ms,
                            std::vector<append_item>& out);

/// Fills unset pull options with defaults (no wait) and checks their range.
std::string resolve_pull(const pull_messages& req, int64_t& batch_size, int64_t& visibility_ms,
                         int64_t& wait_ms);

} // namespace sluice
