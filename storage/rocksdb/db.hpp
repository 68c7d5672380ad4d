#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "storage/rocksdb/batch.hpp"
#include "storage/rocksdb/status.hpp"

namespace sluice::storage {

/// The one RocksDB instance of a data directory, with the column families of
/// `family`. Thread-safe: any thread may read; writes should go through
/// `writer` so that concurrent commits share one sync. Calls block on disk I/O,
/// so never call them from a CAF scheduler thread.
class db {
public:
  ~db();
  db(const db&) = delete;
  db& operator=(const db&) = delete;

  /// Opens (creating if missing) the database under `dir`. On failure returns
  /// null and sets `st`.
  static std::unique_ptr<db> open(const std::string& dir, status& st);

  /// Commits `b` atomically; with `sync` the WAL is fsynced before returning.
  status write(const batch& b, bool sync);

  /// Reads one key. Returns nullopt when absent; sets `st` on I/O errors.
  std::optional<std::string> get(family cf, std::string_view key, status& st);

  /// Whether a scan applies range deletions. Skipping them saves fragmenting
  /// every range tombstone of the memtable (RocksDB does that for each new
  /// iterator after a range deletion); only for ranges no range deletion can
  /// cover. Point deletions always apply.
  enum class range_deletions : bool { apply, skip };

  /// Calls `fn(key, value)` for every key in [begin, end) (an empty `end`:
  /// no upper bound), in key order, until `fn` returns false.
  status scan_range(family cf, std::string_view begin, std::string_view end,
                    const std::function<bool(std::string_view, std::string_view)>& fn,
                    range_deletions ranges = range_deletions::apply);

  /// As `scan_range` over every key that starts with `prefix`.
  status scan_prefix(family cf, std::string_view prefix,
                     const std::function<bool(std::string_view, std::string_view)>& fn);

  /// Creates a consistent checkpoint of the whole instance in `dir` (which
  /// must not exist; same file system, so table files are hard links): one
  /// point in time, so it holds exactly the writes committed before it.
  /// Flushes the memtables first. Blocks on disk I/O; safe beside concurrent
  /// reads and writes.
  status checkpoint_to(const std::string& dir);

  /// Makes every write committed so far durable: fsyncs the write-ahead log
  /// (for writes made with `sync` false). Blocks on the sync.
  status sync_wal();

  /// Closes the instance, runs `while_closed` (e.g. replaces the directory
  /// with another store, `store_swap.hpp`), then reopens the same directory
  /// whatever it holds now. Every other call waits meanwhile. Returns the
  /// reopen's failure (the instance then stays closed: every call fails),
  /// else `while_closed`'s status. Blocks.
  status reopen_after(const std::function<status()>& while_closed);

  /// Makes the space of deleted data free: clears a stopped write path after a
  /// full disk (RocksDB `Resume`) and flushes the memtables, so that the
  /// write-ahead log files holding deleted messages can be removed. Blocks.
  status reclaim_space();

private:
  struct impl;
  explicit db(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace sluice::storage
