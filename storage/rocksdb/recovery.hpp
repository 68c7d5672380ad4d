#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "storage/message_store.hpp"
#include "storage/meta_store.hpp"
#include "storage/rocksdb/db.hpp"
#include "storage/rocksdb/status.hpp"

/// Reading back what the RocksDB stores wrote. Every call blocks on disk I/O:
/// call it at start-up or on an `io_thread`, never from an actor. A record
/// that cannot be decoded fails the read (`corrupt`), naming it, rather than
/// being skipped.

namespace sluice::storage {

/// Reads every record of the `meta` family (queues with their consumers,
/// tokens, subscriptions, scripts, audit entries).
status load_meta(db& d, meta_snapshot& out);

/// One storage shard: the first `window` messages in full, the rest only
/// counted (see `recover_shard`).
status load_shard(db& d, std::string_view queue_id, uint16_t shard, size_t window,
                  shard_recovery& out);

/// Up to `limit` messages of one shard with sequence numbers in
/// [from, below), in order. `ranges`: whether range deletions apply (skip
/// them only where none can cover the range, see `page_messages`).
status load_page(db& d, std::string_view queue_id, uint16_t shard, uint64_t from, uint64_t below,
                 size_t limit, db::range_deletions ranges, std::vector<recovered_message>& out);

} // namespace sluice::storage
