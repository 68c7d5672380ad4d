#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/rocksdb/batch.hpp"
#include "storage/rocksdb/db.hpp"
#include "storage/rocksdb/status.hpp"

#include <string_view>

namespace sluice::storage {

/// `meta` key of the index of the last committed batch (8 bytes, big-endian).
inline constexpr std::string_view applied_index_key = "applied/index";

/// The group-commit writer (docs/architecture.md): every durable write in the process goes
/// through `submit`. A dedicated thread takes everything pending, commits it as
/// one RocksDB write with `sync=true` and then runs each completion, so N
/// concurrent writers cost one fsync, not N.
///
/// Completions run on the writer thread (or, in `inline` mode, on the caller's
/// thread before `submit` returns); they must be short and must not block —
/// typically they send an actor message.
class writer {
public:
  /// `index` is the position of the write among all writes of the data
  /// directory (rising by one per submitted batch, kept across restarts in
  /// the `meta` key `applied_index_key`, committed with the batch).
  using completion = std::function<void(const status&, uint64_t index)>;

  enum class mode {
    /// A background thread commits groups (production).
    threaded,
    /// `submit` commits synchronously on the caller's thread (deterministic
    /// unit tests; still a real synced RocksDB write).
    inline_commit,
    /// `submit` only collects; `commit_collected_at` commits what was
    /// collected under an index chosen outside (a replicated log's entry,
    /// `rocksdb_backend::apply_at`).
    collect,
  };

  /// Reads the last applied index from `d` (0 if none).
  writer(db& d, mode m = mode::threaded);

  /// Commits whatever is still pending, then stops the thread.
  ~writer();

  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;

  /// Queues `b` for the next group commit; `done` runs once it is synced (or
  /// failed). Thread-safe. After `stop()`, fails `done` at once.
  void submit(batch b, completion done);

  /// `collect` mode only: commits every collected batch as one write that
  /// stores `index` as the applied index, then runs each completion with
  /// `index`. With `sync` it blocks on the fsync, on the caller's thread.
  status commit_collected_at(uint64_t index, bool sync = true);

  /// Commits what is pending and joins the thread. Idempotent.
  void stop();

  /// Number of synced group commits so far (tests check grouping with it).
  uint64_t commits() const;

private:
  struct pending {
    batch b;
    completion done;
  };

  void run();
  void commit(std::vector<pending>& group);

  db& db_;
  mode mode_;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::vector<pending> queue_;
  bool stopping_ = false;
  uint64_t commits_ = 0;
  uint64_t applied_ = 0; ///< index of the last committed batch (writer thread only)
  std::thread thread_;
};

} // namespace sluice::storage
