#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "storage/replicated/checkpoint_source.hpp"
#include "storage/rocksdb/rocksdb_backend.hpp"

namespace sluice::storage {

/// How long checkpoints are kept and reused.
struct checkpoint_retention {
  /// At most this many checkpoints exist; making one more deletes the
  /// oldest (a node still fetching it fails and prepares again).
  size_t keep = 2;
  /// A checkpoint older than this is deleted at the next `prepare`: it pins
  /// table files the store has compacted away (hard links), i.e. disk space.
  std::chrono::seconds max_age{600};
  /// `prepare` hands out the newest checkpoint again, instead of making one,
  /// while it is younger than this and new enough: several nodes catching
  /// up at once share one.
  std::chrono::seconds reuse_for{30};
  /// The clock (tests inject one).
  std::function<std::chrono::steady_clock::time_point()> now = [] {
    return std::chrono::steady_clock::now();
  };
};

/// The sending side of checkpoint catch-up (docs/cluster.md): consistent
/// RocksDB checkpoints of this node's store (hard links) under a directory
/// of their own, each named `<applied index>-<n>`, read back in chunks.
///
/// Thread-safe; every call blocks on disk I/O (a checkpoint flushes the
/// memtables), so call it from a thread of the transport's own — never a
/// CAF scheduler thread, and not the raft thread (a long flush there would
/// delay heartbeats into an election). The store's applies may run
/// meanwhile: a checkpoint is one point in time of the store, and every
/// entry is one atomic write with its index, so it holds exactly the
/// entries up to its own applied index.
class local_checkpoint_source : public checkpoint_source {
public:
  /// `store` must outlive the source. Checkpoints go to `root` (created if
  /// missing; on the store's file system); checkpoints left there by an
  /// earlier run are deleted.
  local_checkpoint_source(rocksdb_backend& store, std::string root,
                          checkpoint_retention retention = {});
  /// Deletes every checkpoint it made.
  ~local_checkpoint_source() override;
  local_checkpoint_source(const local_checkpoint_source&) = delete;
  local_checkpoint_source& operator=(const local_checkpoint_source&) = delete;

  /// `<store_dir>.checkpoints` (a sibling of the store, like its
  /// `.incoming` and `.old`: same file system, and one per store even when
  /// several stores share a parent directory): the default `root`.
  static std::string default_root(const std::string& store_dir);

  /// Fails with `io_error` when the store has not applied `min_index` yet
  /// (this node is behind too: ask the leader) or the checkpoint fails.
  expected<checkpoint_manifest> prepare(uint64_t min_index) override;
  expected<std::string> read_chunk(const std::string& checkpoint, const std::string& file,
                                   uint64_t offset, size_t max) override;

  /// The ids of the checkpoints kept, oldest first.
  std::vector<std::string> checkpoints() const;

  /// The largest chunk `read_chunk` returns, whatever `max` asks for.
  static constexpr size_t max_chunk = 64u << 20;

private:
  struct kept {
    checkpoint_manifest manifest;
    std::chrono::steady_clock::time_point made;
  };

  /// Deletes checkpoints past `max_age`, and the oldest past `keep`.
  void drop_old(std::chrono::steady_clock::time_point now);
  void drop_front();

  rocksdb_backend& store_;
  std::string root_;
  checkpoint_retention retention_;
  mutable std::mutex mtx_;
  std::deque<kept> kept_; // oldest first
  uint64_t made_ = 0;
};

} // namespace sluice::storage
