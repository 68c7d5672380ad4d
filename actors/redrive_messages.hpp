#pragma once

#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>

#include "storage/redrive_record.hpp"

/// The message vocabulary of redrive (docs/api.md, "Redrive"): moving the
/// messages of a dead-letter queue back to the queues they came from, as
/// SQS's StartMessageMoveTask does. Registered in `actors/type_ids.hpp`.

namespace sluice {

namespace storage {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, redrive_record& x) {
  return f(caf::meta::type_name("redrive_record"), x.account, x.id, x.source_queue_id,
           x.destination_queue_id, x.max_per_second, x.state, x.to_move, x.moved, x.started_ms,
           x.finished_ms, x.failure_reason);
}

} // namespace storage

/// Start a redrive task on queue `queue_id`. Reply: the task's record once it
/// is durable (with its audit entry), or `queue_not_found` (the queue, or the
/// destination), `invalid_request` (a bad rate, a destination equal to the
/// source, or no destination for a queue that is nobody's dead-letter queue),
/// `redrive_running` (a task runs on the queue already).
struct start_redrive {
  std::string account;
  std::string queue_id;
  caf::optional<std::string> destination_queue_id; ///< unset: each message's origin
  caf::optional<int64_t> max_messages_per_second;  ///< unset: no limit
  std::string caller;                              ///< token id, for the audit log
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, start_redrive& x) {
  return f(caf::meta::type_name("start_redrive"), x.account, x.queue_id, x.destination_queue_id,
           x.max_messages_per_second, x.caller);
}

/// Read the last redrive task of a queue. Reply: its record, or
/// `queue_not_found`, `redrive_not_found`.
struct get_redrive {
  std::string account;
  std::string queue_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, get_redrive& x) {
  return f(caf::meta::type_name("get_redrive"), x.account, x.queue_id);
}

/// Cancel the running redrive task of a queue: the batch under way finishes,
/// nothing more moves. Reply: the record (state CANCELLED) once durable, or
/// `queue_not_found`, `redrive_not_found` (no task is running).
struct cancel_redrive {
  std::string account;
  std::string queue_id;
  std::string caller;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cancel_redrive& x) {
  return f(caf::meta::type_name("cancel_redrive"), x.account, x.queue_id, x.caller);
}

/// Redrive task → hub, after every batch and when it ends: how many it moved
/// so far, and its end (`state` not RUNNING) with the reason of a failure.
struct redrive_progress {
  std::string account;
  std::string queue_id;
  std::string task_id;
  uint64_t moved = 0;
  storage::redrive_state state = storage::redrive_state::running;
  std::string failure_reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, redrive_progress& x) {
  return f(caf::meta::type_name("redrive_progress"), x.account, x.queue_id, x.task_id, x.moved,
           x.state, x.failure_reason);
}

/// Redrive task → source coordinator: take up to `n` ready messages out of
/// sight for `visibility_ms`, paused or not, without counting a delivery
/// (their attempts stay as they were). Taken messages are removed by an ack
/// of their lease ids, or given back by a retry with delay 0; after a crash
/// they are visible again at once (as a push consumer's lease). Reply:
/// `pulled_batch`.
struct redrive_take {
  uint32_t n = 0;
  int64_t visibility_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, redrive_take& x) {
  return f(caf::meta::type_name("redrive_take"), x.n, x.visibility_ms);
}

/// Coordinator → storage shard: `redrive_take` of one shard. Reply:
/// `pulled_batch` (backlog of the shard).
struct shard_take {
  uint32_t n = 0;
  int64_t visibility_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_take& x) {
  return f(caf::meta::type_name("shard_take"), x.n, x.visibility_ms);
}

/// Redrive task → itself: move the next batch (sent at once, or later to keep
/// to the rate limit).
struct redrive_step {};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, redrive_step&) {
  return f(caf::meta::type_name("redrive_step"));
}

/// Hub → redrive task: the task was cancelled; finish the batch under way,
/// report, and end.
struct redrive_stop {};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, redrive_stop&) {
  return f(caf::meta::type_name("redrive_stop"));
}

} // namespace sluice
