#pragma once

#include <chrono>

#include <caf/timespan.hpp>

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

/// How a coordinator waits for its own storage shards on the data path (send,
/// pull, peek, ack): without a time-out. In CAF 0.17 a finite request time-out
/// is an entry in the clock thread, set and cancelled per request, which cost
/// 7-9% of batch-send throughput here (bench/ab.sh, docs/benchmarks.md). Nothing
/// is stranded by waiting: the shard's changes are its own (a lease that is
/// never answered expires), CAF answers with an error if the shard dies, and the
/// client's request has the HTTP layer's 30 s deadline (504).
inline constexpr caf::infinite_t data_path_wait = caf::infinite;

} // namespace sluice
