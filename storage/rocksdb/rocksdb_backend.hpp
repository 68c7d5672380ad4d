#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/backend.hpp"
#include "storage/command.hpp"
#include "storage/rocksdb/db.hpp"
#include "storage/rocksdb/io_thread.hpp"
#include "storage/rocksdb/writer.hpp"

namespace sluice::storage {

/// What `rocksdb_backend::find_expired_dedup` read.
struct expired_dedup {
  std::vector<dedup_key> keys; ///< oldest first
  int64_t next_expiry_ms = 0;  ///< as `dedup_expiry::next_expiry_ms`
};

/// The embedded default backend: one RocksDB instance per data directory
/// with the column families `meta`, `messages` and `state`. Every write of
/// every store goes through one group-commit `writer` (N concurrent writers
/// share one fsync); reads run on one `io_thread`.
class rocksdb_backend : public backend {
public:
  enum class mode {
    /// The writer and the reader have their own threads (production).
    threaded,
    /// Writes commit and reads run on the caller's thread, still as real
    /// synced RocksDB operations (deterministic unit tests).
    inline_io,
  };

  /// Opens (creating if missing) the data directory `dir`, first making a
  /// crash-interrupted replacement of it whole (`finish_store_swap`); null
  /// with `err` set if it cannot.
  static std::unique_ptr<rocksdb_backend> open(const std::string& dir, mode m, store_error& err);

  ~rocksdb_backend() override;

  meta_store& meta() override;
  std::unique_ptr<message_store> messages(const std::string& queue_id, uint16_t shard) override;
  void stop() override;

  /// Applies `commands` (in order) as one atomic write that also stores
  /// `index` as the applied index: how a replicated store applies a log
  /// entry at its log index (docs/cluster.md). `index` must exceed every
  /// index applied before. Not synced: the entry is durable in raft's log,
  /// which replays whatever a machine crash takes from here, until
  /// `sync_applied` (before each raft snapshot) makes it durable here too.
  /// Runs on the caller's thread (the raft thread); the backend's stores
  /// stay usable for reads, but a backend written this way must take no
  /// writes through its stores (their counter does not know of `index`).
  expected<applied> apply_at(uint64_t index, const std::vector<store_command>& commands);

  /// Makes every entry applied so far durable (fsyncs the write-ahead log)
  /// and returns the applied index. Blocks on the sync.
  expected<uint64_t> sync_applied();

  /// The applied index stored beside the state (0: none). Blocks on a read.
  expected<uint64_t> applied_index();

  /// The stored lease secret, nullopt if none is stored yet (unlike
  /// `meta_store::lease_secret`, never stores one). Blocks on a read.
  expected<std::optional<std::string>> stored_lease_secret();

  /// Reads which dedup entries of shard `shard` of `queue_id` `cmd` would
  /// delete (`expire_dedup`), deleting nothing: a replicated store
  /// replicates their deletion as `erase_dedup`. On the reader thread.
  void find_expired_dedup(const std::string& queue_id, uint16_t shard, expire_dedup cmd,
                          read_callback<expired_dedup> done);

  /// Creates a consistent checkpoint of this store in `dir`, which must not
  /// exist and must be on the store's file system (table files become hard
  /// links). Returns the applied index read just before: the checkpoint
  /// holds every entry up to at least that index (applies only go up), and
  /// its own `applied/index` says exactly which. Safe beside concurrent
  /// applies and reads; blocks on a flush and the links, so call it from a
  /// thread of your own (not a CAF scheduler thread, not the raft thread).
  expected<uint64_t> create_checkpoint(const std::string& dir);

  /// Replaces this store with the complete store a caller assembled (and
  /// synced) in `incoming_dir_of(dir())` (`store_swap.hpp`): checks that it
  /// opens and holds at least index `min_index`, closes this store, swaps the
  /// directories by renames, reopens and deletes the old directory. Returns
  /// the new applied index. A failure before the swap leaves this store as
  /// it was (and open); a failed reopen after it leaves the store closed
  /// (every call fails; the old one is kept as `S.old`, and reopening the
  /// directory later keeps the new one). Reads wait while the store is
  /// closed. Blocks; call it on the thread that applies (nothing may be
  /// written through this backend meanwhile).
  expected<uint64_t> swap_in_incoming(uint64_t min_index);

  /// The data directory this backend opened.
  const std::string& dir() const { return dir_; }

  /// Makes the space of deleted messages free (`db::reclaim_space`). Blocks:
  /// call it from a thread of your own, e.g. the space guard's. Empty when
  /// done, else what failed.
  std::string reclaim_space();

private:
  rocksdb_backend(std::string dir, std::unique_ptr<db> d, mode m);

  std::string dir_;
  std::unique_ptr<db> db_;
  std::unique_ptr<writer> writer_;
  std::unique_ptr<io_thread> reader_;
  std::unique_ptr<meta_store> meta_;
};

} // namespace sluice::storage
