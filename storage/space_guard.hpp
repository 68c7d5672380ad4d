#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace sluice::storage {

/// Refuses growth before the data directory's disk is full (docs/operations.md, "A
/// full disk"). A disk that fills up under RocksDB turns it read-only, and
/// Debian's build then aborts on the next sync; so the hub stops appending while
/// `min_free_bytes` are still free, and keeps that reserve for what frees space:
/// acks, retries, purges, deletes, reads and control-plane changes.
///
/// Every `interval` its own thread reads the free space (`probe`). Below
/// `min_free_bytes` the guard is *low*: `low()` is true and appends are refused
/// with `refusal()`. While low it calls `reclaim` (at most every 2 s), which makes
/// the space of deleted messages free (RocksDB: flush, so that the write-ahead
/// log holding them can go). It leaves the low state once the free space is
/// `min_free_bytes` plus a tenth of it again. Between readings, appends count
/// their bytes against the last one (`will_write`). `on_change` hears of each
/// change of state, for the log and the metrics, and every reading.
/// Thread-safe.
class space_guard {
public:
  /// Free bytes, or nothing when they cannot be read.
  using probe = std::function<std::optional<uint64_t>()>;
  using change = std::function<void(bool low, uint64_t free_bytes, bool changed)>;
  using reclaim = std::function<void()>;

  space_guard(uint64_t min_free_bytes, probe read_free, change on_change, reclaim make_room);
  ~space_guard();
  space_guard(const space_guard&) = delete;
  space_guard& operator=(const space_guard&) = delete;

  /// Starts the thread that checks every `interval`.
  void start(std::chrono::milliseconds interval);
  /// Stops it (idempotent; the destructor does it too).
  void stop();

  /// One reading, as the thread does it (tests call it directly).
  void check();

  /// Counts `bytes` about to be written against the free space of the last
  /// reading, so that a burst between two readings cannot fill the disk: the
  /// guard turns low as soon as the estimate falls below the minimum.
  void will_write(uint64_t bytes);

  bool low() const { return low_.load(std::memory_order_relaxed); }
  uint64_t free_bytes() const { return free_.load(std::memory_order_relaxed); }
  uint64_t min_free_bytes() const { return min_free_; }

  /// What a refused append answers: how much is free and what to do.
  std::string refusal() const;

  /// The free space of the filesystem holding `dir` for an unprivileged
  /// writer (statvfs: f_bavail × f_frsize).
  static probe filesystem_of(std::string dir);

private:
  const uint64_t min_free_;
  probe read_free_;
  change on_change_;
  reclaim make_room_;
  std::atomic<bool> low_{false};
  std::atomic<uint64_t> free_{0};
  std::chrono::steady_clock::time_point last_reclaim_{};
  bool reported_low_ = false; ///< the state `on_change` last heard (check's thread only)

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

/// `bytes` for a person: "812 KiB", "3.1 MiB", "12.0 GiB".
std::string human_bytes(uint64_t bytes);

} // namespace sluice::storage
