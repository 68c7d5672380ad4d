#pragma once

#include <chrono>

namespace sluice {

/// How long an actor waits for another actor's answer before it treats the
/// request as failed (`errc::timeout`) and takes its recovery path: messages
/// taken out of a shard's index for a move go back, a push batch counts as
/// failed. Longer than any storage sync, so only a lost reply or a wedged
/// actor trips it. Only long-lived actors use it: a pending timeout holds a
/// reference to its actor, so actors that end once unreferenced (consumer
/// shards, the HTTP layer's one-shot `ask` actors) wait without one and rely
/// on CAF failing a request whose receiver died.
inline constexpr std::chrono::seconds internal_request_timeout{30};

} // namespace sluice
