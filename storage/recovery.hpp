#pragma once

#include <map>
#include <vector>

#include "storage/db.hpp"
#include "storage/message_records.hpp"
#include "storage/records.hpp"
#include "storage/status.hpp"

namespace sluice::storage {

/// Everything in the `meta` family, as read at start-up.
struct meta_snapshot {
  std::vector<queue_record> queues;
  std::vector<token_record> tokens;
  /// Consumers are attached to their queue's `consumers`.
  std::vector<subscription_record> subscriptions;
  std::vector<script_record> scripts;
  /// Every account's audit entries, by account, then oldest first.
  std::vector<audit_record> audit;
};

/// Reads every record of the `meta` family (queues, consumers, tokens,
/// subscriptions, scripts, audit entries). Blocks on disk I/O: call before the
/// actor system serves (start-up), never from an actor. A record that cannot
/// be decoded fails the load, naming its key, rather than being skipped.
status load_meta(db& d, meta_snapshot& out);

/// A stored message with its delivery state, as read at start-up.
struct recovered_message {
  uint64_t seq = 0;
  stored_message message;
  delivery_state state;
};

/// What start-up recovers of one storage shard: the first `window` messages
/// in full; the rest ("cold") only counted, to be paged in later.
struct shard_recovery {
  std::vector<recovered_message> loaded;
  uint64_t cold_count = 0;
  uint64_t cold_bytes = 0; ///< body bytes of the cold messages
  uint64_t cold_from = 0;  ///< sequence number of the first cold message
  uint64_t last_seq = 0;   ///< highest sequence number stored (0: none)
};

/// Every shard of a queue, in sequence order, at most `window` messages per
/// shard in memory. Blocks on disk I/O: start-up only. A message without a
/// readable state record is recovered as never delivered (at-least-once).
status load_messages(db& d, std::string_view queue_id, size_t window,
                     std::map<uint16_t, shard_recovery>& out);

/// Up to `limit` messages of one shard with sequence numbers in
/// [from, below), in order. Blocks on disk I/O: call on an `io_thread`.
status load_page(db& d, std::string_view queue_id, uint16_t shard, uint64_t from, uint64_t below,
                 size_t limit, std::vector<recovered_message>& out);

} // namespace sluice::storage
