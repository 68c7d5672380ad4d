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
};

/// Reads every queue and token record. Blocks on disk I/O: call before the
/// actor system serves (start-up), never from an actor. A record that cannot
/// be decoded fails the load, naming its key, rather than being skipped.
status load_meta(db& d, meta_snapshot& out);

/// A stored message with its delivery state, as read at start-up.
struct recovered_message {
  uint64_t seq = 0;
  stored_message message;
  delivery_state state;
};

/// Every message of a queue, by shard, in sequence order. Blocks on disk
/// I/O: start-up only. A message without a readable state record is
/// recovered as never delivered (it is at-least-once either way).
status load_messages(db& d, std::string_view queue_id,
                     std::map<uint16_t, std::vector<recovered_message>>& out);

} // namespace sluice::storage
