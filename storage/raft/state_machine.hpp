#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::storage::raft {

/// What the raft engine replicates into: the application's state. Every
/// method runs on the raft thread, one at a time, and must not block for
/// long (a synced local write is fine; waiting on another node is not).
///
/// Indexes are raft log indexes: they rise, but not by one — membership and
/// barrier entries take indexes the state machine never sees.
class state_machine {
public:
  virtual ~state_machine() = default;

  /// The highest index whose effects this state machine already holds
  /// durably, read once when the node starts (0: none, or not persistent).
  /// The engine does not apply entries at or below it again when raft
  /// replays its log after a restart, nor restore a snapshot that is not
  /// newer: a state machine that stores its applied index beside its state
  /// (one atomic write per entry) sees every index exactly once.
  virtual uint64_t applied_index() const = 0;

  /// Applies one committed log entry: the `commands` of every submission
  /// packed into it, in submission order. Must succeed: a state machine that
  /// cannot apply (e.g. its disk failed) must stop the process rather than
  /// diverge from its peers. `commands` point into raft's memory, valid only
  /// during the call.
  virtual void apply(uint64_t index, const std::vector<std::string_view>& commands) = 0;

  /// The state as of the last applied index, for a raft snapshot. Raft keeps
  /// snapshots in memory and ships them whole, so this must be small: the
  /// real store will return an applied-index marker over its synced RocksDB
  /// and ship checkpoints out of band (docs/cluster.md).
  virtual std::string snapshot() = 0;

  /// Replaces the state with a snapshot taken by a peer (or by this node
  /// before a restart) at `index`. False when it could not (the state is
  /// then unchanged): raft refuses the snapshot, and during
  /// `raft_node::start` the start fails. Raft 0.15 has already replaced its
  /// own log by the snapshot when it calls this, so a node that refused one
  /// applies nothing more until it restarts: a state machine that may
  /// succeed later retries inside (docs/cluster.md).
  virtual bool restore(uint64_t index, std::string_view data) = 0;
};

} // namespace sluice::storage::raft
