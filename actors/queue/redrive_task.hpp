#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "actors/control/queue_directory.hpp"
#include "actors/interfaces.hpp"
#include "storage/redrive_record.hpp"

/// A redrive task (docs/api.md, "Redrive"): moves the messages of its source
/// queue to the queue each was dead-lettered from, or to one destination, in
/// batches: take a batch out of sight in the source (`redrive_take`), store
/// each message in its destination keeping its id, body, content type and
/// timestamp (attempts start again), and only once that is synced remove it
/// from the source (an ack of its lease id). A crash between the two leaves
/// the batch in both queues (at least once); nothing is ever only in memory.

namespace sluice {

/// Messages taken per batch at most.
inline constexpr uint32_t redrive_batch_size = 100;

/// How long taken messages stay out of sight of the source's consumers: long
/// enough for any store to sync (the request deadline is 30 s). After a crash
/// they are visible again at once.
inline constexpr int64_t redrive_take_visibility_ms = 5 * 60 * 1000;

/// How soon the task looks again when nothing was ready but the source still
/// has messages on disk that its shards are paging into memory.
inline constexpr int64_t redrive_page_wait_ms = 200;

/// What a task starts from.
struct redrive_task_config {
  /// The task, with what it moved so far (0, or the count persisted before a restart).
  storage::redrive_record task;
  /// The queue it moves from.
  coordinator_actor source;
  /// Where each destination's coordinator is (the hub publishes it).
  std::shared_ptr<const queue_directory> queues;
  /// Receives `redrive_progress` after every batch and at the end.
  hub_actor hub;
};

/// State of a redrive task actor.
struct redrive_task_state {
  static inline const char* name = "sluice.redrive_task";

  /// The task; `moved` counts what it moved, including before a restart.
  storage::redrive_record task;
  /// The queue it moves from.
  coordinator_actor source;
  /// Where each destination's coordinator is.
  std::shared_ptr<const queue_directory> queues;
  /// Receives `redrive_progress`.
  hub_actor hub;
  /// Cancelled: ends once the batch under way is settled.
  bool stopping = false;
  /// A batch is under way (taken, not yet settled).
  bool busy = false;
};

/// The pause after moving `n` messages so that at most `per_second` move per
/// second (0: no limit, no pause), in milliseconds.
int64_t redrive_pause_ms(uint64_t n, uint32_t per_second);

/// How many to take next: at most a batch, what is left of `to_move`, and
/// one second's worth at the rate limit.
uint32_t redrive_next_batch(const storage::redrive_record& task);

/// The destination of `m`: the task's, else the queue it was dead-lettered
/// from; "" if it has neither (it was sent to the source directly).
std::string redrive_destination(const storage::redrive_record& task, const pulled_message& m);

/// Spawned by the hub (linked) for a running task; starts at once. Ends after
/// reporting COMPLETED (moved `to_move`, or nothing left that is ready),
/// CANCELLED (`redrive_stop`) or FAILED (a message without an origin and no
/// destination, a destination that no longer exists, a store failure).
redrive_task_actor::behavior_type
redrive_task(redrive_task_actor::stateful_pointer<redrive_task_state> self,
             redrive_task_config cfg);

} // namespace sluice
