#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/backend.hpp"

/// Fault injection around any backend, for tests: a `faulty_backend` wraps
/// another backend and hands out stores (its meta store and every message
/// store from `messages()`) that pass each command to the wrapped store
/// unless the backend's `fault_plan` says otherwise.
///
/// Every command is one write or one read:
/// - writes: `append`, `lease`, `settle`, `remove` (op name "delete"),
///   `expire`, `purge` of message stores and `apply` of the meta store (op
///   name "meta");
/// - reads: `page`, `recover`, `lookup_dedup` and `sweep_dedup` of message
///   stores (`sweep_dedup` reads, then deletes: the plan treats it as a read,
///   failed by `fail_reads`, counted by none of the write counters). `meta_store::load` and
///   `lease_secret` (start-up calls) always pass through unfaulted.
///
/// A write the plan fails never reaches the wrapped store (nothing of it is
/// applied, it takes no index) and its callback runs exactly once with the
/// injected error. Every callback runs exactly once: no fault drops one.
///
/// Typical use:
///
///     memory_backend mem;
///     faulty_backend fb{mem};
///     fb.plan().fail_nth_write(2, store_errc::no_space);
///     auto store = fb.messages(queue_id, 0); // the 2nd write through any store fails

namespace sluice::storage {

/// What a `faulty_backend` does to the commands of its stores. Owned by the
/// backend (see `faulty_backend::plan`); the test arms and inspects it.
/// Thread-safe: any thread may call any member, also while stores run
/// commands. Callbacks are never called with the plan's lock held.
class fault_plan {
public:
  /// The message of an injected `store_errc::no_space` failure.
  static constexpr std::string_view no_space_message = "the disk is full (No space left on device)";

  fault_plan() = default;
  fault_plan(const fault_plan&) = delete;
  fault_plan& operator=(const fault_plan&) = delete;

  /// Fails the `n`-th write submitted from now on (1: the next one), of any
  /// operation and any store, with `code`. Several may be armed at once (for
  /// different or equal `n`); each fires once. `n == 0` arms nothing.
  void fail_nth_write(uint64_t n, store_errc code = store_errc::io_error);

  /// Fails every write with `code` until `heal()`.
  void fail_writes(store_errc code = store_errc::io_error);

  /// Fails every write of operation `op` ("append", "lease", "settle",
  /// "delete", "expire", "purge" or "meta") with `code` until `heal()`;
  /// writes of other operations pass. Arming an op again replaces its code.
  /// A name that is none of these never matches.
  void fail_writes_of(std::string op, store_errc code = store_errc::io_error);

  /// Fails every read (`page`, `recover`, `lookup_dedup`, `sweep_dedup`) with
  /// `code` until `heal()`.
  void fail_reads(store_errc code = store_errc::io_error);

  /// Disarms every failure: `fail_nth_write` shots not yet fired,
  /// `fail_writes`, `fail_writes_of` and `fail_reads`. Leaves holding and
  /// the counters alone.
  void heal();

  /// Slow syncs: from now on, each write's result (the wrapped store's, or
  /// an injected failure's) is held instead of being passed to its
  /// callback: queued in the order the results arrive — submission order
  /// for an inline wrapped store (memory, RocksDB `inline_io`). The writes
  /// themselves still reach the wrapped store at once.
  void hold_writes();

  /// Stops holding and calls every held callback, oldest first, on the
  /// calling thread.
  void release_writes();

  /// Calls the oldest held callback on the calling thread; writes stay
  /// held. False if none was held.
  bool release_one();

  /// Number of callbacks held now.
  size_t held() const;

  /// Writes submitted through the stores so far, failed or not.
  uint64_t writes() const;

  /// Writes whose callback got (or, if held, will get) an error so far:
  /// injected failures and failures of the wrapped store alike.
  uint64_t failed_writes() const;

private:
  friend struct fault_hooks;

  /// A held callback with the result it is to get.
  struct held_write {
    write_callback done;
    expected<applied> result;
  };

  /// Counts a write of `op`; the error it is to fail with, if the plan
  /// fails it.
  std::optional<store_error> on_write(std::string_view op);
  /// The error a read of `op` is to fail with, if the plan fails it.
  std::optional<store_error> on_read(std::string_view op) const;
  /// Passes `result` to `done`, or holds both while writes are held.
  void complete(write_callback done, expected<applied> result);

  mutable std::mutex mtx_;
  std::vector<std::pair<uint64_t, store_errc>> nth_; ///< (absolute write number, code)
  std::optional<store_errc> all_writes_;
  std::vector<std::pair<std::string, store_errc>> op_writes_;
  std::optional<store_errc> reads_;
  bool holding_ = false;
  std::deque<held_write> held_;
  uint64_t writes_ = 0;
  uint64_t failed_ = 0;
};

/// A backend that wraps `inner` (not owned; it must outlive this backend)
/// and injects the faults of its `fault_plan` into every store it hands out.
/// The stores it hands out must not outlive it; a write still in flight in
/// the wrapped store when it is dropped completes safely (its callback
/// runs, unheld).
class faulty_backend : public backend {
public:
  /// Wraps `inner` with an empty plan: every command passes through.
  explicit faulty_backend(backend& inner);
  /// Releases every held callback (never drops one); does not stop `inner`.
  ~faulty_backend() override;
  faulty_backend(const faulty_backend&) = delete;
  faulty_backend& operator=(const faulty_backend&) = delete;

  /// The plan applied to every store of this backend, valid as long as it.
  fault_plan& plan() { return *plan_; }

  /// The wrapped meta store with faults: `apply` is the write "meta";
  /// `load` and `lease_secret` pass through.
  meta_store& meta() override;

  /// A handle to the wrapped backend's store of the shard, with faults.
  std::unique_ptr<message_store> messages(const std::string& queue_id, uint16_t shard) override;

  /// Releases every held callback, then stops `inner` (so later writes and
  /// reads fail with `closed`, as `inner` fails them). Idempotent.
  void stop() override;

private:
  backend& inner_;
  std::shared_ptr<fault_plan> plan_;
  std::unique_ptr<meta_store> meta_;
};

} // namespace sluice::storage
