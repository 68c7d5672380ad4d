#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "storage/backend.hpp"
#include "storage/raft/node_config.hpp"
#include "storage/raft/raft_node.hpp"
#include "storage/replicated/local_checkpoint_source.hpp"
#include "storage/replicated/store_machine.hpp"
#include "storage/rocksdb/rocksdb_backend.hpp"

namespace sluice::storage {

/// Where a replicated backend keeps its state and how its raft node is set up.
struct replicated_config {
  /// The local RocksDB data directory (the replica of the state).
  std::string store_dir;
  /// The raft node: id, address, raft data dir, members, timeouts.
  raft::node_config raft;
  /// Where this node's checkpoints for peers go (on the store's file
  /// system); empty: `<store_dir>.checkpoints`.
  std::string checkpoint_dir;
  /// How this node catches up when it is too far behind (the source is the
  /// transport to the leader's `checkpoints()`); default: it cannot.
  catch_up_config catch_up;
};

/// The cluster-mode backend (docs/cluster.md): every write command of both
/// stores is encoded (`command_codec.hpp`) and replicated through a raft
/// node; every replica, this one included, applies committed entries to its
/// local RocksDB backend (`store_machine`). A write's callback reports
/// success only once the entry is on a majority's disks and applied here,
/// with the entry's log index; on a follower it fails at once with
/// `not_leader` naming the leader; when leadership moves with it in flight
/// it fails with `unknown_outcome`. Reads (`page`, `recover`, `load`) read
/// the local RocksDB, which holds every write whose callback reported
/// success on this node.
class replicated_backend : public backend {
public:
  /// Opens the local store, then starts the raft node over it (raft replays
  /// entries above the store's applied index). Fails with the store's or
  /// raft's error.
  static expected<std::unique_ptr<replicated_backend>>
  open(replicated_config config, raft::leadership_callback on_leadership = {});

  ~replicated_backend() override;

  meta_store& meta() override;
  std::unique_ptr<message_store> messages(const std::string& queue_id, uint16_t shard) override;
  /// Stops the raft node (writes queued fail with `closed`, those in flight
  /// with `unknown_outcome`; a catch-up running gives up), then the local
  /// store. Idempotent.
  void stop() override;

  /// The local store under the replica (for flushes by the disk watcher).
  rocksdb_backend& local() { return *local_; }

  /// This node's checkpoints of its local store, for peers catching up
  /// (docs/cluster.md, "Catching up from a checkpoint"): what the transport
  /// serves to a follower's `checkpoint_source`. Thread-safe; blocking, so
  /// not from a CAF scheduler thread. Lives as long as the backend.
  checkpoint_source& checkpoints();

  /// Snapshots this node restored from a peer's checkpoint since it started.
  uint64_t catch_ups() const { return machine_->catch_ups(); }

  /// The raft node, for membership changes (`add_member`, …) and leadership
  /// transfers. Any thread; lives until the backend is destroyed.
  raft::raft_node& raft() { return *node_; }

  /// The raft node's status (role, leader, indexes). Any thread.
  raft::node_status status() const;
  /// Leader only: adds node `id` listening for raft at `address` as a
  /// spare, then makes it a voter (raft lets it catch up first); `done`
  /// gets the outcome of the whole change, on the raft thread.
  void add_member(uint64_t id, std::string address, raft::change_callback done);

  /// Leader only: removes node `id` from the group.
  void remove_member(uint64_t id, raft::change_callback done);

  /// The highest log index applied to the local store. Any thread.
  uint64_t applied_index() const { return machine_->applied_index(); }
  /// Entries applied to the local store since this backend started.
  uint64_t entries_applied() const { return machine_->entries_applied(); }

private:
  replicated_backend() = default;

  std::unique_ptr<rocksdb_backend> local_;
  std::unique_ptr<local_checkpoint_source> checkpoints_;
  std::unique_ptr<store_machine> machine_;
  std::unique_ptr<raft::raft_node> node_;
  std::atomic<raft::raft_node*> running_{nullptr}; // node_ once started

  std::unique_ptr<meta_store> meta_;
};

} // namespace sluice::storage
