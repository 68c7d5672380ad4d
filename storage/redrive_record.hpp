#pragma once

#include <cstdint>
#include <string>
#include <string_view>

/// The record of a redrive task (docs/api.md, "Redrive"), persisted in the
/// meta store: one per source queue (the latest task), kept after it ends so
/// that its outcome can be read.

namespace sluice::storage {

/// Where a redrive task is, with SQS's names (ListMessageMoveTasks).
enum class redrive_state : uint8_t { running = 0, completed = 1, cancelled = 2, failed = 3 };

/// "RUNNING", "COMPLETED", "CANCELLED" or "FAILED".
inline std::string_view redrive_state_name(redrive_state s) {
  switch (s) {
    case redrive_state::completed:
      return "COMPLETED";
    case redrive_state::cancelled:
      return "CANCELLED";
    case redrive_state::failed:
      return "FAILED";
    default:
      return "RUNNING";
  }
}

/// A task that moves the messages of a (dead-letter) queue back to the queue
/// each came from, or to one named destination.
struct redrive_record {
  std::string account;
  std::string id;                   ///< the task's id (32 hex)
  std::string source_queue_id;      ///< the queue it moves from (at most one task runs on it)
  std::string destination_queue_id; ///< "" : each message's dead-letter origin
  uint32_t max_per_second = 0;      ///< rate limit in messages per second; 0: none
  redrive_state state = redrive_state::running;
  uint64_t to_move = 0; ///< the source's backlog when the task started
  uint64_t moved = 0;   ///< messages moved so far (persisted after every batch)
  int64_t started_ms = 0;
  int64_t finished_ms = 0;    ///< 0 while running
  std::string failure_reason; ///< why it failed ("" unless `failed`)
};

} // namespace sluice::storage
