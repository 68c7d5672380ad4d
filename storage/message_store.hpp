#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "storage/message_records.hpp"
#include "storage/result.hpp"

/// The message store of one storage shard (one queue id, one shard number):
/// every operation a shard performs on its messages is one of the commands
/// below, handed over whole, answered with a typed result. Which engine keeps
/// the bytes (RocksDB in `storage/rocksdb/`, memory in `storage/memory/`) is
/// invisible to the shard.
///
/// The contract every implementation keeps, and a replicated store will keep:
/// - Write commands are applied in submission order, atomically (all of a
///   command or nothing), and their callback runs only once the command is
///   durable (synced to disk; in a cluster: on a majority's disks).
/// - Each applied command has a rising index (`applied::index`) stored beside
///   the state, so replaying a log from any earlier point is idempotent.
/// - Commands name messages by their sequence number, which the shard assigns
///   and which never repeats within a shard. Removing a message that is not
///   there is not an error.
/// - No call blocks: writes complete through `write_callback`, reads through
///   `read_callback`, on the store's threads (or inline, memory store).

namespace sluice::storage {

/// A message being appended, with the sequence number the shard gave it.
struct new_message {
  uint64_t seq = 0;
  stored_message message;
  /// Not deliverable before this time (Unix epoch ms) for a delayed send;
  /// 0: deliverable at once.
  int64_t visible_at_ms = 0;
};

/// A send's dedup id remembered for the shard (docs/api.md, "Deduplicated
/// sends"): the id of the message that send stored, until `expires_ms`.
struct dedup_entry {
  std::string dedup_id;   ///< 1-128 bytes (the API checks them)
  std::string message_id; ///< the public id of the message stored
  int64_t expires_ms = 0; ///< Unix epoch ms; a repeat at or after it is new
};

/// Appends a batch: all of the messages or none (docs/api.md: a batch is
/// atomic), with the dedup entries of its sends in the same atomic write, so
/// a crash never keeps a message without its entry or the reverse.
struct append_messages {
  std::vector<new_message> messages;
  std::vector<dedup_entry> dedup = {};
};

/// The new delivery state of one message.
struct state_change {
  uint64_t seq = 0;
  delivery_state state;
};

/// Leases messages: their delivery state (attempts, the lease's deadline,
/// pushed or pulled) is stored so that a crash while leased counts the
/// attempt and makes them visible again at the deadline.
struct lease_messages {
  std::vector<state_change> leases;
};

/// Settles leased messages: acknowledged ones are deleted, retried ones get
/// their new state (visible again after the retry delay), dead-lettered ones
/// — moved to the dead-letter queue, or out of retries without one — are
/// deleted.
struct settle_messages {
  std::vector<uint64_t> acked;
  std::vector<state_change> retried;
  std::vector<uint64_t> dead_lettered;
};

/// Deletes messages by reference (docs/api.md, delete by lease id or peek ref).
struct delete_messages {
  std::vector<uint64_t> seqs;
};

/// Deletes messages past the queue's retention period.
struct expire_messages {
  std::vector<uint64_t> seqs;
};

/// Deletes every message of the shard that the shard knows of: those it
/// holds in memory (`seqs`) and the cold ones in [cold_from, cold_below).
/// Appends still in flight are not touched.
struct purge_messages {
  std::vector<uint64_t> seqs;
  uint64_t cold_from = 0;
  uint64_t cold_below = 0;
};

/// Reads up to `limit` messages with sequence numbers in [from, below), in
/// order (paging cold messages into the shard's window).
struct page_messages {
  uint64_t from = 0;
  uint64_t below = 0;
  size_t limit = 0;
  /// The caller knows that no range deletion (a settled run, a purge) ever
  /// covered [from, below): a store may then read without applying them,
  /// which is cheaper. False: every deletion applies.
  bool no_range_deleted = false;
};

/// A stored message with its delivery state, as read back.
struct recovered_message {
  uint64_t seq = 0;
  stored_message message;
  delivery_state state;
};

/// Recovers the shard at start: the first `window` messages in full, the
/// rest only counted, to be paged in later. A message without a readable
/// state record is recovered as never delivered (at-least-once).
struct recover_shard {
  size_t window = 0;
};

/// What `recover_shard` reads.
struct shard_recovery {
  std::vector<recovered_message> loaded;
  uint64_t cold_count = 0;
  uint64_t cold_bytes = 0; ///< body bytes of the cold messages
  uint64_t cold_from = 0;  ///< sequence number of the first cold message
  uint64_t last_seq = 0;   ///< highest sequence number stored (0: none)
};

/// Looks dedup ids up: which of `ids` have an entry of this shard that has
/// not expired at `now_ms`. A read: it sees every write answered before it.
struct find_dedup {
  std::vector<std::string> ids;
  int64_t now_ms = 0;
};

/// An unexpired dedup entry found by `find_dedup`.
struct dedup_hit {
  std::string dedup_id;
  std::string message_id;
};

/// Deletes up to `limit` dedup entries of the shard that expired at or before
/// `now_ms`, oldest first. A read (of which entries expired) then a write
/// (their deletion): answered once the deletion is durable. Never deletes an
/// entry that has not expired, so it may run concurrently with appends. A
/// sweep that finds nothing expired writes nothing (and takes no index).
struct expire_dedup {
  int64_t now_ms = 0;
  size_t limit = 0;
};

/// What `expire_dedup` did.
struct dedup_expiry {
  size_t removed = 0;
  /// When the oldest entry left expires (Unix epoch ms; 0: none left). At or
  /// before `now_ms` when more than `limit` had expired.
  int64_t next_expiry_ms = 0;
};

/// Called with the result of a read; same thread rules as `write_callback`.
template <class T>
using read_callback = std::function<void(expected<T>)>;

/// One shard's messages. Owned by the shard actor (created by
/// `backend::messages`); any thread may call it, calls never block.
class message_store {
public:
  virtual ~message_store() = default;

  /// Reads `cmd` before it returns (the write is built from it, or the
  /// command serialised), so the caller may move the bodies out afterwards.
  virtual void append(const append_messages& cmd, write_callback done) = 0;
  virtual void lease(lease_messages cmd, write_callback done) = 0;
  virtual void settle(settle_messages cmd, write_callback done) = 0;
  virtual void remove(delete_messages cmd, write_callback done) = 0;
  virtual void expire(expire_messages cmd, write_callback done) = 0;
  virtual void purge(purge_messages cmd, write_callback done) = 0;

  virtual void page(page_messages cmd, read_callback<std::vector<recovered_message>> done) = 0;
  virtual void recover(recover_shard cmd, read_callback<shard_recovery> done) = 0;

  virtual void lookup_dedup(find_dedup cmd, read_callback<std::vector<dedup_hit>> done) = 0;
  virtual void sweep_dedup(expire_dedup cmd, read_callback<dedup_expiry> done) = 0;
};

} // namespace sluice::storage
