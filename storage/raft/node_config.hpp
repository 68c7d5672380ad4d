#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "storage/raft/outcome.hpp"

namespace sluice::storage::raft {

/// A member's part in the group (raft's roles).
enum class member_role : uint8_t {
  voter,   ///< replicates the log and counts for the quorum
  standby, ///< replicates the log, does not vote
  spare,   ///< neither: a member being added, not yet caught up
};

/// One member of the group's configuration.
struct member {
  uint64_t id = 0;     ///< > 0, unique in the group
  std::string address; ///< "host:port" the member listens on for raft traffic
  member_role role = member_role::voter;
};

/// How one node is set up. Times in milliseconds.
struct node_config {
  /// This node's id (> 0) and its raft address ("127.0.0.1:7001"): it listens
  /// there and its peers dial it.
  uint64_t id = 0;
  std::string address;
  /// Where raft keeps its log, term, vote and snapshots; created if missing.
  std::string data_dir;
  /// The group's first configuration, written (bootstrapped) only when
  /// `data_dir` holds no raft state; otherwise the node recovers from it.
  /// Empty: the node joins a running group once a leader adds it.
  std::vector<member> initial_members;
  /// Raft randomises it between 1x and 2x; a dead leader is replaced after
  /// about two of them (docs/cluster.md, "Timing"): 700 ms keeps failover
  /// under 3 s on this machine.
  unsigned election_timeout_ms = 700;
  unsigned heartbeat_timeout_ms = 100;
  /// Snapshot after this many applied entries, keeping `snapshot_trailing`
  /// of them. Kept low on purpose: raft 0.15 holds the log since the last
  /// snapshot in memory and stalls for 20 s+ when a long one meets a
  /// snapshot install (docs/cluster.md).
  unsigned snapshot_threshold = 2048;
  unsigned snapshot_trailing = 1024;
  /// A leader that sent a snapshot and heard nothing back sends it again
  /// after this long (raft's default is 30 s): a snapshot sent to a stopped
  /// follower is lost, and the follower catches up only once it is sent
  /// again after its restart (docs/cluster.md, "Catching up from a
  /// checkpoint").
  unsigned install_snapshot_timeout_ms = 5000;
  /// Entries submitted to raft and not yet applied, at most; what arrives
  /// meanwhile waits and goes into the next (larger) entry.
  unsigned max_entries_in_flight = 32;
  /// Bounds on one entry: submissions are packed whole until either is
  /// reached (a single larger submission still goes, alone).
  size_t max_commands_per_entry = 1000;
  size_t max_entry_bytes = size_t{4} << 20;
};

/// A raft node's role right now.
enum class node_role : uint8_t { unavailable, follower, candidate, leader };

/// A short name of `role` ("leader", …) for logs and the CLI.
const char* to_string(node_role role);

/// What a node knows about itself and its group, as of its last loop turn.
struct node_status {
  uint64_t id = 0;
  node_role role = node_role::unavailable;
  leader_hint leader;
  uint64_t term = 0;
  uint64_t commit_index = 0;
  uint64_t last_applied = 0;
  /// The index of the last entry in this node's log.
  uint64_t last_index = 0;
  std::vector<member> members;
  /// Entries this node submitted to raft as leader, and the commands in them.
  uint64_t entries_submitted = 0;
  uint64_t commands_submitted = 0;
  /// Entries raft replayed after a restart that the state machine already
  /// held (`state_machine::applied_index`), so not applied again.
  uint64_t replays_skipped = 0;
};

/// Called on the raft thread when the node's role or its known leader
/// changes, with the new status. Same rules as `apply_callback`.
using leadership_callback = std::function<void(const node_status&)>;

} // namespace sluice::storage::raft
