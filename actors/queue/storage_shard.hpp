#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/interfaces.hpp"
#include "actors/node/node.hpp"
#include "actors/persister.hpp"
#include "actors/queue/lease.hpp"
#include "actors/queue/shard_dedup.hpp"
#include "actors/queue/shard_index.hpp"
#include "actors/storage_env.hpp"
#include "metrics/queue_metrics.hpp"
#include "storage/message_store.hpp"

namespace sluice {

/// State of a storage shard: the delivery index plus its store.
struct storage_shard_state {
  static inline const char* name = "sluice.storage_shard";

  std::string queue_id;
  uint16_t shard = 0;
  std::shared_ptr<const lease_codec> leases;
  coordinator_actor coordinator;
  delivery_settings settings;
  std::function<int64_t()> now_ms;
  std::shared_ptr<metrics::queue_metrics> metrics;
  std::unique_ptr<storage::message_store> store;
  persister persist;
  shard_index index;
  uint64_t next_seq = 1;
  /// `next_seq` when the shard recovered: every message from here on was
  /// appended by this run of the shard, and this run deletes ranges only of
  /// messages in its window (below `cold_from`) or, in a purge, of cold
  /// messages that it then never pages in. So no range deletion covers a
  /// page that starts here or later (`page_messages::no_range_deleted`); one
  /// made before the start may cover older cold messages (a smaller window
  /// after a restart leaves settled runs among them).
  uint64_t first_seq_of_run = UINT64_MAX;
  /// When the next `tick` is due (INT64_MAX: none scheduled).
  int64_t wakeup_at = INT64_MAX;
  int64_t last_retention_check = 0;
  storage_env env;
  /// The store has recovered the shard; until then requests are skipped
  /// (they wait in the mailbox).
  bool ready = false;
  /// A recovery read is under way.
  bool recovering = false;
  /// Deletions whose write failed (the messages are gone from memory): tried
  /// again at the next tick, so a message acked or expired stays deleted.
  std::vector<uint64_t> undeleted;

  // The bounded window: messages with seq >= `cold_from` are on disk only
  // ("cold") and are paged in, in order, as the window drains.
  uint64_t cold_count = 0;
  uint64_t cold_bytes = 0;
  uint64_t cold_from = 0;
  /// The last sequence number whose append is synced and accounted for.
  uint64_t confirmed_seq = 0;
  /// A page read is under way.
  bool paging = false;
  /// Bumped by a purge so that a page read started before it is discarded.
  uint64_t epoch = 0;
  /// Sends with dedup ids in flight, and when to sweep expired entries.
  shard_dedup dedup;

  queue_stats stats() const;
};

/// A storage shard as its handlers see it.
using shard_self = storage_shard_actor::stateful_pointer<storage_shard_state>;

/// Appends `items` as one atomic write — for each item with a dedup id, when
/// `dedup_expires_ms` > 0, with its dedup entry expiring then — and calls
/// `done` on the shard, once synced, with the shard's stats and the items'
/// ids (or the error; nothing was stored then). The caller has checked the
/// shard is ready and may take writes.
void append_items(shard_self self, std::vector<append_item> items, int64_t dedup_expires_ms,
                  std::function<void(caf::expected<sent_messages>)> done);

/// Schedules the shard's next tick for whatever is due first (delays, leases,
/// retention, a dedup sweep).
void schedule_tick(shard_self self);

/// Writes beyond this many unsynced batches get 429 instead of queueing
/// without bound (docs/operations.md, limits).
inline constexpr size_t max_pending_writes = 20000;

/// Disk bytes a message costs beyond its body (key, header, write-ahead log
/// framing), as `space_guard::will_write` counts it.
inline constexpr uint64_t space_per_message = 128;

/// Spawned by a node from `spec`, with the node's `services`: opens its
/// message store (`services->env.stores->messages(queue_id, shard)`) and
/// recovers its own messages through it; requests wait in its mailbox until
/// it has. Links to the coordinator of `spec`, so it ends with the queue.
storage_shard_actor::behavior_type
storage_shard(storage_shard_actor::stateful_pointer<storage_shard_state> self, shard_spec spec,
              std::shared_ptr<const node_services> services);

} // namespace sluice
