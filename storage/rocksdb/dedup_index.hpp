#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/command.hpp"
#include "storage/message_store.hpp"
#include "storage/rocksdb/batch.hpp"
#include "storage/rocksdb/db.hpp"
#include "storage/rocksdb/status.hpp"

/// The dedup entries of a shard (docs/api.md, "Deduplicated sends") in the
/// `dedup` family, under the shard's prefix (`shard_prefix`), as two keys
/// each:
/// - by id: `prefix | 0x01 | len(u8) | dedup_id | expires_ms(u64 BE)` → the
///   message id. The expiry is part of the key, so an entry written again
///   after the old one expired is a new key, and deleting the old one (by
///   its exact key) never touches the new one.
/// - by expiry: `prefix | 0x02 | expires_ms(u64 BE) | dedup_id` → "", so the
///   expired entries are the first keys of this range.
/// Memory does not grow with the entries: they live in RocksDB and are read
/// per send. Only `storage/rocksdb/` includes this.

namespace sluice::storage {

/// Adds the two keys of `e` (shard `shard` of queue `queue_id`) to `b`.
void put_dedup(batch& b, std::string_view queue_id, uint16_t shard, const dedup_entry& e);

/// Reads which of `cmd.ids` have an entry in the shard unexpired at
/// `cmd.now_ms`. Blocks on disk: call it on the reader thread.
status load_dedup_hits(db& d, std::string_view queue_id, uint16_t shard, const find_dedup& cmd,
                       std::vector<dedup_hit>& out);

/// Finds up to `cmd.limit` entries of the shard expired at `cmd.now_ms` and
/// adds the deletion of both their keys to `b`; `out` says how many and when
/// the next one left expires. Blocks on disk: call it on the reader thread.
status load_expired_dedup(db& d, std::string_view queue_id, uint16_t shard, const expire_dedup& cmd,
                          batch& b, dedup_expiry& out);

/// Finds up to `cmd.limit` entries of the shard expired at `cmd.now_ms`,
/// oldest first, into `out`, and when the next one left expires into
/// `next_expiry_ms` (0: none). Deletes nothing. Blocks on disk: call it on
/// the reader thread.
status load_expired_dedup_keys(db& d, std::string_view queue_id, uint16_t shard,
                               const expire_dedup& cmd, std::vector<dedup_key>& out,
                               int64_t& next_expiry_ms);

/// Adds the deletion of both keys of the entry `k` to `b`.
void erase_dedup_entry(batch& b, std::string_view queue_id, uint16_t shard, const dedup_key& k);

} // namespace sluice::storage
