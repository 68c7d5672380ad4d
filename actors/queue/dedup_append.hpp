#pragma once

#include <cstdint>

#include "actors/queue/storage_shard.hpp"

/// The storage shard's handlers of deduplicated sends and of the sweep of
/// expired dedup entries (the steps are in actors/queue/shard_dedup.hpp).
/// All run on the shard actor.

namespace sluice {

/// Starts `req` (which `wants_dedup`): parks it while an append with one of
/// its dedup ids is in flight, else looks its ids up. `rp` is answered with
/// every item's id once the new ones are synced, or with the error.
void dedup_append(shard_self self, shard_append req, caf::typed_response_promise<sent_messages> rp);

/// The lookup of an append came back: stores its new items, answers it, and
/// starts the parked appends it held up.
void on_dedup_looked_up(shard_self self, dedup_looked_up& msg);

/// Sweeps expired dedup entries when the oldest is due at `now` (one sweep
/// at a time).
void sweep_dedup_if_due(shard_self self, int64_t now);

/// A sweep came back: schedules the next one.
void on_dedup_swept(shard_self self, dedup_swept& msg);

} // namespace sluice
