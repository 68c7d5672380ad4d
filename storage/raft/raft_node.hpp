#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "storage/raft/node_config.hpp"
#include "storage/raft/outcome.hpp"
#include "storage/raft/state_machine.hpp"
#include "storage/result.hpp"

namespace sluice::storage::raft {

class node_engine;

/// One member of a raft group (Canonical raft 0.15 with its libuv I/O and
/// TCP transport), behind Sluice's own interface: the rest of Sluice never
/// sees raft's C API.
///
/// The node owns one thread running one libuv loop; raft, its disk I/O and
/// its network traffic, and every call into the `state_machine`, happen on
/// that thread. The public methods may be called from any thread: they only
/// queue work and wake the loop. Callbacks run on the raft thread.
///
/// Writes: `apply` queues a submission; on the loop's next turn all
/// submissions waiting are packed into one log entry (bounded by
/// `node_config::max_commands_per_entry` / `max_entry_bytes`), with at most
/// `max_entries_in_flight` entries submitted and not yet applied. A
/// submission's callback reports `ok` with the entry's index once a majority
/// stored the entry and this node applied it.
class raft_node {
public:
  /// Starts a node: creates `config.data_dir` if needed, bootstraps
  /// `config.initial_members` into it when it holds no raft state (else
  /// recovers log and snapshot from it, replaying entries into `sm` above
  /// `sm.applied_index()`), listens on `config.address`, and returns once
  /// raft has started. Ignores SIGPIPE process-wide (libuv does not).
  /// `sm` must outlive the node. Fails with `io_error` and a message saying
  /// what (bad config, data dir, address in use, corrupt raft state).
  static expected<std::unique_ptr<raft_node>> start(node_config config, state_machine& sm,
                                                    leadership_callback on_leadership = {});

  /// Stops the node (see `stop()`).
  ~raft_node();
  raft_node(const raft_node&) = delete;
  raft_node& operator=(const raft_node&) = delete;

  /// Replicates `commands` (opaque bytes, applied together in order, never
  /// split across entries). `done` gets `ok` and the log index once applied
  /// here; `not_leader` with the leader's id and address (if known) on a
  /// follower or candidate — nothing was written; `leadership_lost` when
  /// leadership moved with the entry in flight — the outcome is unknown,
  /// the new leader may still apply it; `shutting_down` when the node stops
  /// first.
  void apply(std::vector<std::string> commands, apply_callback done);

  /// Leader only (else `not_leader`): adds member `id` at `address` as a
  /// spare; `assign_member` then promotes it (to `voter`: raft first lets it
  /// catch up). One change at a time (else `busy`).
  void add_member(uint64_t id, std::string address, change_callback done);
  /// Leader only: gives member `id` a new role.
  void assign_member(uint64_t id, member_role role, change_callback done);
  /// Leader only: removes member `id` from the group.
  void remove_member(uint64_t id, change_callback done);
  /// Leader only: hands leadership to voter `id` (0: raft picks one); `ok`
  /// once this node sees `id` lead, `busy` if that did not happen within the
  /// election timeout.
  void transfer_leadership(uint64_t id, change_callback done);

  /// The node's status as of its loop's last turn (at least every
  /// heartbeat). Any thread.
  node_status status() const;

  /// Fails queued submissions and changes with `shutting_down`, closes raft
  /// (entries in flight fail with `leadership_lost`), the transport and the
  /// loop, and joins the raft thread. Idempotent. Must not be called from a
  /// callback (the raft thread would wait for itself: it terminates).
  void stop();

private:
  raft_node(std::unique_ptr<node_engine> engine, std::thread thread);

  std::unique_ptr<node_engine> engine_;
  std::thread thread_;
};

} // namespace sluice::storage::raft
