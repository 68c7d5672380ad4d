#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "storage/raft/c_api.hpp"
#include "storage/raft/state_machine.hpp"

namespace sluice::storage::raft {

/// Connects a `state_machine` to raft's C `raft_fsm`: decodes packed
/// entries into commands, tells the state machine each entry's log index,
/// frames snapshots with their index, and skips what the state machine
/// already holds (`state_machine::applied_index`) when raft replays its log.
/// Used on the raft thread only (raft calls it from inside its own loop).
class fsm_bridge {
public:
  /// Reads `sm.applied_index()` once. `sm` must outlive the bridge.
  explicit fsm_bridge(state_machine& sm);
  fsm_bridge(const fsm_bridge&) = delete;
  fsm_bridge& operator=(const fsm_bridge&) = delete;

  /// The `raft_fsm` to pass to `raft_init` (or a raft fixture).
  raft_fsm* fsm() { return &fsm_; }

  /// The raft instance that drives this bridge: the index of the entry being
  /// applied is its `last_applied + 1`. Set after `raft_init`, before start.
  void attach(const ::raft* r) { raft_ = r; }

  /// The highest index applied, skipped as already held, or restored.
  uint64_t last_applied() const { return last_applied_; }
  /// Entries raft replayed that the state machine already held (not applied again).
  uint64_t replays_skipped() const { return replays_skipped_; }
  /// Entries handed to `state_machine::apply`.
  uint64_t entries_applied() const { return entries_applied_; }

private:
  static int on_apply(raft_fsm* fsm, const raft_buffer* buf, void** result);
  static int on_snapshot(raft_fsm* fsm, raft_buffer* bufs[], unsigned* n_bufs);
  static int on_restore(raft_fsm* fsm, raft_buffer* buf);

  state_machine& sm_;
  raft_fsm fsm_{};
  const ::raft* raft_ = nullptr;
  uint64_t last_applied_ = 0;
  uint64_t replays_skipped_ = 0;
  uint64_t entries_applied_ = 0;
  std::vector<std::string_view> commands_;
};

} // namespace sluice::storage::raft
