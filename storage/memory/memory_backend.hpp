#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "storage/backend.hpp"

/// A backend that keeps everything in memory, for unit tests: the same
/// semantics as `rocksdb_backend` (the contract test in
/// `tests/unit/storage/store_contract_test.cpp` runs against both), without
/// disk, threads or RocksDB.
///
/// - Every write command is applied and its callback called on the caller's
///   thread before the submitting call returns; reads likewise. Callbacks run
///   after the backend's lock is released, so a callback may call the stores
///   again; callbacks of concurrent callers may run in either order.
/// - Every command, meta or message, empty or not, gets the next index of one
///   counter shared by the whole backend (1, 2, 3, …). A failed command
///   (after `stop()`) applies nothing and takes no index.
/// - The state belongs to the backend, not to the handles: dropping every
///   store and calling `messages()` again (a "restart") sees what was
///   written. Handles and the backend may be dropped in any order.
/// - A message handle names its shard by queue id and shard number and looks
///   it up on every command: after `erase_queues` removed its queue, a write
///   through an old handle lands in a fresh, empty shard of that queue id
///   (as it would in RocksDB, where the keys are written again), and a read
///   sees only what was written since.
/// - Thread-safe: one mutex guards all state; any thread may call any store.

namespace sluice::storage {

/// Everything a `memory_backend` holds; defined in memory_backend.cpp and
/// shared by the backend and its handles.
struct memory_state;

/// The in-memory backend (see the file comment for its contract).
class memory_backend : public backend {
public:
  /// An empty backend: no records, no messages, next applied index 1.
  memory_backend();
  /// Drops the meta store; message handles still alive keep the state (and
  /// keep working) until they are dropped too.
  ~memory_backend() override;
  memory_backend(const memory_backend&) = delete;
  memory_backend& operator=(const memory_backend&) = delete;

  /// The meta store, valid as long as the backend. `apply` keeps the order
  /// of `rocksdb_backend` (erase_queues first, then each kind's erases before
  /// its puts); `load` returns records in key order — queues, consumers,
  /// subscriptions and scripts by (account, id or name), tokens by hash,
  /// audit entries by account then ascending seq — with each queue's
  /// consumer in its `consumers`. `load` and `lease_secret` fail with
  /// `closed` after `stop()`; `lease_secret` takes no applied index.
  meta_store& meta() override;

  /// A new handle to shard `shard` of queue `queue_id`; every handle to one
  /// shard sees the same messages. Never fails; valid after the backend is
  /// dropped (the state is shared).
  std::unique_ptr<message_store> messages(const std::string& queue_id, uint16_t shard) override;

  /// Nothing is ever pending, so this only makes every later write and read
  /// of every store (meta and message, old and new handles) fail with
  /// `store_errc::closed`. Idempotent; the state stays as it was.
  void stop() override;

  /// The index the last applied command got (0: none yet).
  uint64_t last_applied() const;

private:
  std::shared_ptr<memory_state> state_;
  std::unique_ptr<meta_store> meta_;
};

} // namespace sluice::storage
