#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "storage/raft/outcome.hpp"
#include "storage/raft/state_machine.hpp"
#include "storage/replicated/checkpoint_source.hpp"
#include "storage/rocksdb/rocksdb_backend.hpp"

namespace sluice::storage {

/// How a node too far behind catches up from a peer's checkpoint
/// (docs/cluster.md, "Catching up from a checkpoint").
struct catch_up_config {
  /// Where checkpoints come from; null: this node cannot catch up (a
  /// snapshot newer than its store is refused, and the node applies nothing
  /// more until it is restarted with a source).
  checkpoint_source_factory source;
  /// Bytes asked for per `read_chunk`.
  size_t chunk_size = 1u << 20;
  /// Wait between failed attempts.
  std::chrono::milliseconds retry_delay{1000};
  /// Attempts per snapshot before the restore is refused; 0: until one
  /// succeeds or the backend stops.
  unsigned max_attempts = 0;
};

/// The state machine of the replicated store (docs/cluster.md): applies each
/// committed raft entry — the encoded `store_command`s packed into it — to the
/// local RocksDB backend as one atomic write that stores the entry's log index
/// as the applied index. Every replica, the leader included, applies through
/// here, so all of them hold the same state at the same index, and replay
/// after a restart skips what the applied index says is already held.
///
/// Runs on the raft thread. The writes are not synced — the entry is already
/// on a majority's disks in raft's log, which replays what a machine crash
/// takes from the store — except before each snapshot, after which raft may
/// drop the log below it: one fsync per `snapshot_threshold` entries instead
/// of one per entry. An entry that cannot be
/// decoded or applied (a corrupt log, a failed disk) stops the process: a
/// replica that skipped it would diverge from its peers.
class store_machine : public raft::state_machine {
public:
  /// `local` must outlive the machine; `applied` is its stored applied index.
  store_machine(rocksdb_backend& local, uint64_t applied, catch_up_config catch_up = {});

  uint64_t applied_index() const override;
  void apply(uint64_t index, const std::vector<std::string_view>& commands) override;
  /// The applied index only, after syncing the local store up to it: the
  /// state itself is the RocksDB.
  std::string snapshot() override;
  /// A snapshot not newer than the local state is a no-op. A newer one means
  /// this node missed entries its peers no longer have in their logs: it
  /// catches up from a peer's checkpoint (`catch_up`), retrying after
  /// `retry_delay` until one attempt succeeds, `max_attempts` fail or
  /// `cancel_catch_up` is called (then false: the store is unchanged).
  /// Blocks the raft thread meanwhile. Stops the process if the store
  /// cannot be reopened after the swap (a failed disk).
  bool restore(uint64_t index, std::string_view data) override;

  /// One catch-up attempt to at least `index`: fetches a checkpoint from
  /// the source the factory gives for `leader`, swaps it in for the local
  /// store and returns the new applied index (then also the machine's).
  /// Fails with the store unchanged. Raft thread (or, with no raft node
  /// running, any one thread).
  expected<uint64_t> catch_up(uint64_t index, const raft::leader_hint& leader);

  /// Where the leader hint for a catch-up comes from (e.g. the raft node's
  /// status). Set before the node starts; unset: unknown.
  void set_leader_lookup(std::function<raft::leader_hint()> lookup);

  /// Makes a running or later `restore` give up (false) at its next check:
  /// call before stopping the raft node. Any thread.
  void cancel_catch_up();

  /// Entries applied since start (any thread).
  uint64_t entries_applied() const { return entries_applied_.load(); }
  /// Snapshots restored from a checkpoint since start (any thread).
  uint64_t catch_ups() const { return catch_ups_.load(); }

private:
  rocksdb_backend& local_;
  std::atomic<uint64_t> applied_;
  std::atomic<uint64_t> entries_applied_{0};
  std::atomic<uint64_t> catch_ups_{0};
  catch_up_config catch_up_;
  std::function<raft::leader_hint()> leader_lookup_;
  std::atomic<bool> cancelled_{false};
  std::mutex wait_mtx_;
  std::condition_variable wake_;
};

} // namespace sluice::storage
