#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <sluice/plugin.hpp>

namespace sluice::builtin {

/// One entry of a reply's ordered `decisions`: `{"op": "ack"|"retry", "id", "delay_seconds"?}`
/// or `{"op": "ack_all"|"retry_all", "delay_seconds"?}`.
struct webhook_decision {
  enum class op { ack, retry, ack_all, retry_all };
  op what = op::ack;
  std::string id; ///< for ack and retry
  RetryOptions options;
};

/// What a webhook's reply asks for (docs/plugins.md):
/// `{"decisions": [{"op", "id"?, "delay_seconds"?}…], "acks": [id…],
///   "retries": [{"id", "delay_seconds"?}…], "ack_all": bool,
///   "retry_all": {"delay_seconds"?} | null}`, every member optional.
struct webhook_reply {
  /// Calls in the order the receiver made them (applied first).
  std::vector<webhook_decision> decisions;
  std::vector<std::string> acks;
  /// (id, delay); no delay: the consumer's retry_delay.
  std::vector<std::pair<std::string, RetryOptions>> retries;
  bool ack_all = false;
  /// Set when `retry_all` is an object.
  std::optional<RetryOptions> retry_all;

  /// True when the reply decides nothing.
  bool empty() const;
};

/// Reads the reply body. A body that is not a JSON object (empty, plain text, an array…)
/// carries no instructions: nullopt. A JSON object with a member of the wrong shape (e.g.
/// `"acks": "id"`, a negative delay, a retry without an id) throws std::invalid_argument
/// naming the member: acting on half of a garbled reply could ack messages the receiver
/// meant to retry, so the whole invocation fails and is retried instead. Unknown members
/// are ignored; delays above 86400 s are clamped to 86400.
std::optional<webhook_reply> read_webhook_reply(const std::string& body);

/// Applies `reply` to `batch` with the C++ API's precedence: the ordered `decisions` first,
/// one call each in their order (the first call on a message wins, so "retry then ack" is
/// a retry); then per-message calls, all acks then all retries (an id in both lists is
/// acked), then `ack_all`, then `retry_all` (the first batch-level call wins, so
/// `ack_all: true` beats `retry_all`). Ids not in the batch are ignored; an id that
/// appears on several messages of the batch applies to each.
void apply_webhook_reply(const webhook_reply& reply, const MessageBatch& batch);

} // namespace sluice::builtin
