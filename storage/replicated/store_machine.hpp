#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/raft/state_machine.hpp"
#include "storage/rocksdb/rocksdb_backend.hpp"

namespace sluice::storage {

/// The state machine of the replicated store (docs/cluster.md): applies each
/// committed raft entry — the encoded `store_command`s packed into it — to the
/// local RocksDB backend as one synced write that stores the entry's log index
/// as the applied index. Every replica, the leader included, applies through
/// here, so all of them hold the same state at the same index, and replay
/// after a restart skips what the applied index says is already held.
///
/// Runs on the raft thread and blocks it for one fsync per entry (entries are
/// packed, so that is one sync per group of writes). An entry that cannot be
/// decoded or applied (a corrupt log, a failed disk) stops the process: a
/// replica that skipped it would diverge from its peers.
class store_machine : public raft::state_machine {
public:
  /// `local` must outlive the machine; `applied` is its stored applied index.
  store_machine(rocksdb_backend& local, uint64_t applied);

  uint64_t applied_index() const override;
  void apply(uint64_t index, const std::vector<std::string_view>& commands) override;
  /// The applied index only: the state itself is the synced RocksDB.
  std::string snapshot() override;
  /// A snapshot not newer than the local state is a no-op. A newer one means
  /// this node missed entries its peers no longer have in their logs; it
  /// needs their RocksDB state (a checkpoint, not done yet: docs/cluster.md),
  /// so the process stops, saying so, rather than silently diverge.
  void restore(uint64_t index, std::string_view data) override;

  /// Entries applied since start (any thread).
  uint64_t entries_applied() const { return entries_applied_.load(); }

private:
  rocksdb_backend& local_;
  std::atomic<uint64_t> applied_;
  std::atomic<uint64_t> entries_applied_{0};
};

} // namespace sluice::storage
