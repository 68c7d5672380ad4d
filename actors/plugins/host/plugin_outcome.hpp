#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

/// The outcome rules of a push invocation (docs/plugins.md, "Outcome rules") as pure logic: no
/// threads of its own, no clock. The plugin host records a plugin's calls here; unit
/// tests drive it directly.
///
/// Rules, for a batch of N messages:
/// - Per-message `ack`/`retry`: the first call on a message wins; later ones are ignored.
/// - Batch-level `ack_all`/`retry_all`: the first batch-level call wins.
/// - A per-message call beats a batch-level call whatever the order of the two.
/// - Normal return: a message with a per-message call gets it; else the batch-level call,
///   if any; else ack.
/// - Throw or time-out ("failed"): a message with a per-message call gets it (an explicit
///   ack stays acked, an explicit retry keeps its delay); else, if `ack_all` was called
///   before the failure, ack (it counts as an explicit ack of every undecided message);
///   else retry, with `retry_all`'s delay if that was the batch-level call, otherwise
///   with no delay given.
/// - After `finish`, every call is ignored (a timed-out plugin that keeps running cannot
///   change the result).
/// A retry without a delay leaves it unset: the consumer's `retry_delay` applies (the
/// caller's job). Delays above `max_retry_delay_seconds` are clamped to it.

namespace sluice {

/// The longest retry delay in seconds (docs/api.md: delay_seconds 0–86400).
inline constexpr std::uint32_t max_retry_delay_seconds = 86400;

/// What happens to one message after an invocation.
enum class message_verdict : std::uint8_t { ack, retry };

/// The decision for one message.
struct message_decision {
  message_verdict verdict = message_verdict::ack;
  /// Only for `retry`: seconds until redelivery; nullopt = the consumer's retry_delay.
  std::optional<std::uint32_t> delay_seconds;

  friend bool operator==(const message_decision& a, const message_decision& b) {
    return a.verdict == b.verdict && a.delay_seconds == b.delay_seconds;
  }
  friend bool operator!=(const message_decision& a, const message_decision& b) { return !(a == b); }
};

/// Shorthands for building and comparing decisions.
inline message_decision ack_decision() {
  return {message_verdict::ack, std::nullopt};
}
inline message_decision retry_decision(std::optional<std::uint32_t> delay_seconds = {}) {
  return {message_verdict::retry, delay_seconds};
}

/// Records the calls a plugin makes on one batch and resolves them into one decision per
/// message. Thread-safe: every method may be called from any thread (a plugin may ack
/// from threads it starts). Each recording method returns true when the call took effect
/// (it is the deciding call of its kind), false when it was ignored (a later call, an
/// index out of range, or after `finish`).
class outcome_recorder {
public:
  /// A batch of `message_count` messages, nothing decided yet.
  explicit outcome_recorder(std::size_t message_count);

  /// Per-message ack of message `index`.
  bool ack(std::size_t index);
  /// Per-message retry of message `index`.
  bool retry(std::size_t index, std::optional<std::uint32_t> delay_seconds);
  /// Batch-level ack.
  bool ack_all();
  /// Batch-level retry.
  bool retry_all(std::optional<std::uint32_t> delay_seconds);

  /// Ends recording and returns one decision per message, in batch order; `failed` means
  /// the handler threw or timed out. Only the first call resolves; later calls return the
  /// same decisions whatever their `failed`.
  std::vector<message_decision> finish(bool failed);

  /// The number of messages in the batch.
  std::size_t size() const { return calls_.size(); }

private:
  struct call {
    bool made = false;
    message_decision decision;
  };

  bool record(call& slot, message_decision d);

  std::mutex mutex_;
  std::vector<call> calls_;
  call batch_call_;
  std::optional<std::vector<message_decision>> result_;
};

} // namespace sluice
