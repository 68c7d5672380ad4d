#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "storage/message_store.hpp"
#include "storage/meta_store.hpp"

namespace sluice::storage {

/// The stores of one node: one meta store and a message store per storage
/// shard. Owned by the process's composition root; it outlives the actor
/// system (writes still in flight when the actors stop complete through it).
/// Implementations: `rocksdb_backend` (production), `memory_backend` (unit
/// tests), `faulty_backend` (fault injection around either).
class backend {
public:
  virtual ~backend() = default;

  virtual meta_store& meta() = 0;

  /// The store of shard `shard` of queue `queue_id` (32 hex chars). Several
  /// handles to one shard see the same messages. A handle stays valid after
  /// the queue is erased; its later writes land in a fresh, empty shard
  /// (queue ids are random and never reused, so nobody reads them).
  virtual std::unique_ptr<message_store> messages(const std::string& queue_id, uint16_t shard) = 0;

  /// Completes every pending write, then fails new ones with `closed`.
  /// Idempotent.
  virtual void stop() = 0;
};

} // namespace sluice::storage
