#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>

#include "actors/messages.hpp"
#include "actors/script_messages.hpp"
#include "storage/message_records.hpp"
#include "storage/message_store.hpp"
#include "storage/records.hpp"

/// The message vocabulary of the data plane (docs/api.md): sending, pulling,
/// acknowledging. Registered in `actors/type_ids.hpp`.

namespace sluice::storage {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, dead_letter_origin& x) {
  return f(caf::meta::type_name("dead_letter_origin"), x.queue_id, x.queue_name, x.consumer_id,
           x.reason, x.last_error, x.attempts, x.dead_lettered_ms);
}

} // namespace sluice::storage

namespace sluice {

/// A message as a producer sent it. `delay_seconds` unset means "use the
/// batch's, else the queue's delay"; an explicit 0 means no delay.
struct outgoing_message {
  std::string body;
  uint8_t type = 0; ///< storage::content_type
  caf::optional<int64_t> delay_seconds;
  /// The producer's dedup id (docs/api.md, "Deduplicated sends"); "" if none.
  /// Checked by the HTTP layer (`check_dedup_id`).
  std::string dedup_id = {};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, outgoing_message& x) {
  return f(caf::meta::type_name("outgoing_message"), x.body, x.type, x.delay_seconds, x.dedup_id);
}

/// Send one or more messages (all or nothing). Reply: `sent_messages` once
/// every message is synced, or `queue_not_found`, `invalid_request`,
/// `storage_failure`, `overloaded`. Messages whose `dedup_id` repeats one
/// sent within the queue's `dedup_window_seconds` are not stored again.
struct send_messages {
  std::string account;
  std::string queue_id;
  std::vector<outgoing_message> messages;
  caf::optional<int64_t> delay_seconds; ///< the batch's delay
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, send_messages& x) {
  return f(caf::meta::type_name("send_messages"), x.account, x.queue_id, x.messages,
           x.delay_seconds);
}

/// Backlog of a queue or shard (`metadata.metrics`, GET .../metrics).
struct queue_stats {
  uint64_t backlog_count = 0; ///< every stored message: ready, delayed and in flight
  uint64_t backlog_bytes = 0;
  int64_t oldest_message_timestamp_ms = 0; ///< 0 when empty
  /// Deliverable now, of the messages in memory (a backlog beyond a shard's
  /// window is paged in as this drains, so it counts in backlog_count only).
  uint64_t ready_count = 0;
  uint64_t delayed_count = 0;   ///< waiting for a delay or a retry delay
  uint64_t in_flight_count = 0; ///< leased to a pull or push consumer
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, queue_stats& x) {
  return f(caf::meta::type_name("queue_stats"), x.backlog_count, x.backlog_bytes,
           x.oldest_message_timestamp_ms, x.ready_count, x.delayed_count, x.in_flight_count);
}

/// The answer to a send (`send_messages`, or `shard_append` from a shard).
struct sent_messages {
  queue_stats stats; ///< of the queue (from a coordinator) or of the shard
  /// The id of each message sent, in order: a repeated dedup id's is the
  /// original message's.
  std::vector<std::string> ids;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sent_messages& x) {
  return f(caf::meta::type_name("sent_messages"), x.stats, x.ids);
}

/// Read a queue's backlog. Reply: `queue_stats`, or `queue_not_found`.
struct get_stats {
  std::string account;
  std::string queue_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, get_stats& x) {
  return f(caf::meta::type_name("get_stats"), x.account, x.queue_id);
}

/// Lease a batch. Unset fields take the consumer's (or the default)
/// settings. With `wait_time_ms` > 0 and nothing ready, the reply waits until
/// something is (or the time is up: an empty batch). Reply: `pulled_batch`,
/// or `queue_not_found`, `invalid_request`, `queue_paused`.
struct pull_messages {
  std::string account;
  std::string queue_id;
  caf::optional<int64_t> batch_size;
  caf::optional<int64_t> visibility_timeout_ms;
  caf::optional<int64_t> wait_time_ms = caf::none;
  /// Whose copy to lease from: required on a fan-out queue, ignored otherwise.
  caf::optional<std::string> consumer_id = caf::none;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pull_messages& x) {
  return f(caf::meta::type_name("pull_messages"), x.account, x.queue_id, x.batch_size,
           x.visibility_timeout_ms, x.wait_time_ms, x.consumer_id);
}

/// Coordinator → itself: the long-poll wait of the pull numbered `id` is over.
struct pull_wait_over {
  uint64_t id = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pull_wait_over& x) {
  return f(caf::meta::type_name("pull_wait_over"), x.id);
}

/// Server → every coordinator when it starts draining: answer every waiting
/// long poll now (with what is ready, else nothing), so shutdown does not wait.
struct release_waiting_pulls {};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, release_waiting_pulls&) {
  return f(caf::meta::type_name("release_waiting_pulls"));
}

/// One leased message as a pull consumer sees it.
struct pulled_message {
  std::string id; ///< kept across a dead-letter move
  std::string body;
  uint8_t type = 0; ///< storage::content_type
  int64_t timestamp_ms = 0;
  uint32_t attempts = 0;
  std::string lease_id;
  /// Set for a message that was dead-lettered into this queue.
  caf::optional<storage::dead_letter_origin> dead_letter = {};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pulled_message& x) {
  return f(caf::meta::type_name("pulled_message"), x.id, x.body, x.type, x.timestamp_ms, x.attempts,
           x.lease_id, x.dead_letter);
}

/// The answer to a pull.
struct pulled_batch {
  std::vector<pulled_message> messages;
  queue_stats stats; ///< of the shard, or (from a coordinator) of the queue
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pulled_batch& x) {
  return f(caf::meta::type_name("pulled_batch"), x.messages, x.stats);
}

/// A retry request of the ack call.
struct retry_item {
  std::string lease_id;
  caf::optional<int64_t> delay_seconds;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, retry_item& x) {
  return f(caf::meta::type_name("retry_item"), x.lease_id, x.delay_seconds);
}

/// Acknowledge and/or retry leased messages. Reply: `ack_result` once the
/// changes are synced; unknown or forged lease ids become warnings.
struct ack_messages {
  std::string account;
  std::string queue_id;
  std::vector<std::string> acks;
  std::vector<retry_item> retries;
  /// Why the delivery failed (a push invocation that threw or timed out),
  /// recorded on every retried message as its last error; "" for none.
  std::string failure = {};
  /// Whose leases these are: required on a fan-out queue, ignored otherwise.
  caf::optional<std::string> consumer_id = caf::none;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ack_messages& x) {
  return f(caf::meta::type_name("ack_messages"), x.account, x.queue_id, x.acks, x.retries,
           x.failure, x.consumer_id);
}

struct ack_result {
  uint32_t ack_count = 0;
  uint32_t retry_count = 0;
  std::map<std::string, std::string> warnings; ///< lease id → why it was ignored
  queue_stats stats; ///< the queue once settled (from the coordinator; push consumers read it)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ack_result& x) {
  return f(caf::meta::type_name("ack_result"), x.ack_count, x.retry_count, x.warnings, x.stats);
}

// -- coordinator ↔ storage shard ------------------------------------------

/// A message ready to store: delay resolved to an absolute time.
struct append_item {
  std::string body;
  uint8_t type = 0;
  int64_t visible_at_ms = 0;
  int64_t timestamp_ms = 0; ///< send time (kept when dead-lettered)
  /// The id to keep (a dead letter keeps the one it had); "" for a new message.
  std::string id = {};
  caf::optional<storage::dead_letter_origin> dead_letter = {}; ///< set for a dead letter
  std::string dedup_id = {}; ///< the producer's (`outgoing_message::dedup_id`)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, append_item& x) {
  return f(caf::meta::type_name("append_item"), x.body, x.type, x.visible_at_ms, x.timestamp_ms,
           x.id, x.dead_letter, x.dedup_id);
}

/// Store messages in one shard. With `dedup_window_ms` > 0, items whose
/// `dedup_id` the shard stored less than that long ago are not stored again
/// (actors/queue/shard_dedup.hpp). Reply: `sent_messages` (the shard's stats,
/// the items' ids) once synced.
struct shard_append {
  std::vector<append_item> items;
  int64_t dedup_window_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_append& x) {
  return f(caf::meta::type_name("shard_append"), x.items, x.dedup_window_ms);
}

/// Lease up to `n` messages from one shard. Reply: `pulled_batch` (backlog
/// of the shard).
struct shard_lease {
  uint32_t n = 0;
  int64_t visibility_ms = 0;
  bool push = false; ///< for a push consumer (see `storage::delivery_state::pushed`)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_lease& x) {
  return f(caf::meta::type_name("shard_lease"), x.n, x.visibility_ms, x.push);
}

/// A verified lease: the message it was issued for. Its generation only makes
/// each lease id distinct; a late ack of an older lease is accepted while the
/// message exists.
struct lease_ref {
  uint64_t seq = 0;
  std::string lease_id;       ///< for warnings
  int64_t retry_delay_s = -1; ///< for retries; -1: the consumer's retry_delay
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, lease_ref& x) {
  return f(caf::meta::type_name("lease_ref"), x.seq, x.lease_id, x.retry_delay_s);
}

/// Ack and retry messages of one shard. Reply: `ack_result` once synced.
struct shard_ack {
  std::vector<lease_ref> acks;
  std::vector<lease_ref> retries;
  std::string failure = {}; ///< `ack_messages::failure`
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_ack& x) {
  return f(caf::meta::type_name("shard_ack"), x.acks, x.retries, x.failure);
}

/// Delivery settings a coordinator gives its shards (from the consumer, or
/// the defaults without one).
struct delivery_settings {
  uint32_t max_retries = 3;
  int64_t retry_delay_s = 0;
  int64_t retention_s = 345600;
  bool dead_letter = false; ///< exhausted messages go to the DLQ, else deleted
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delivery_settings& x) {
  return f(caf::meta::type_name("delivery_settings"), x.max_retries, x.retry_delay_s, x.retention_s,
           x.dead_letter);
}

/// A shard's backlog, pushed to its coordinator after changes it did not
/// report in a reply (acks, expiry, retention).
struct shard_stats {
  uint16_t shard = 0;
  queue_stats stats;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_stats& x) {
  return f(caf::meta::type_name("shard_stats"), x.shard, x.stats);
}

/// Delete every stored message of a queue, delayed ones included; leased
/// ones may still be acked (docs/api.md). Reply: `purge_status` once synced.
struct purge_queue {
  std::string account;
  std::string queue_id;
  /// Token id of the caller, for the audit log ("dev" in --dev mode).
  std::string caller = {};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, purge_queue& x) {
  return f(caf::meta::type_name("purge_queue"), x.account, x.queue_id, x.caller);
}

/// Read the state of the last purge. Reply: `purge_status`.
struct get_purge_status {
  std::string account;
  std::string queue_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, get_purge_status& x) {
  return f(caf::meta::type_name("get_purge_status"), x.account, x.queue_id);
}

/// The last purge of a queue (`started_ms` 0: never purged).
struct purge_status {
  bool completed = true;
  int64_t started_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, purge_status& x) {
  return f(caf::meta::type_name("purge_status"), x.completed, x.started_ms);
}

/// List messages without leasing them; each carries an opaque `ref` (in
/// `pulled_message::lease_id`). Reply: `pulled_batch`.
struct peek_messages {
  std::string account;
  std::string queue_id;
  caf::optional<int64_t> batch_size;
  /// On a fan-out queue, whose copy to list (unset: the first consumer's).
  caf::optional<std::string> consumer_id = caf::none;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, peek_messages& x) {
  return f(caf::meta::type_name("peek_messages"), x.account, x.queue_id, x.batch_size,
           x.consumer_id);
}

/// Delete the peeked messages named by `refs`. Reply: `ack_result`
/// (`ack_count` = deleted; unknown refs become warnings).
struct delete_refs {
  std::string account;
  std::string queue_id;
  std::vector<std::string> refs;
  /// On a fan-out queue, whose copy the refs are of (unset: the first consumer's).
  caf::optional<std::string> consumer_id = caf::none;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delete_refs& x) {
  return f(caf::meta::type_name("delete_refs"), x.account, x.queue_id, x.refs, x.consumer_id);
}

/// Peek up to `n` messages of one shard. Reply: `pulled_batch`.
struct shard_peek {
  uint32_t n = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_peek& x) {
  return f(caf::meta::type_name("shard_peek"), x.n);
}

/// Drop every message of one shard that is not leased. Reply: `queue_stats`.
struct shard_purge {};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_purge&) {
  return f(caf::meta::type_name("shard_purge"));
}

/// A page of cold messages read for a storage shard by its store.
/// Local only (never serialized); `epoch` tells a page from before a purge.
struct page_loaded {
  uint64_t epoch = 0;
  std::vector<storage::recovered_message> messages;
  uint8_t failure = 0; ///< 0 on success, else the `storage::store_errc`
  std::string error;
};

/// What a storage shard's store found for the dedup ids of the append
/// numbered `token` (local only).
struct dedup_looked_up {
  uint64_t token = 0;
  std::vector<storage::dedup_hit> hits;
  uint8_t failure = 0; ///< 0 on success, else the `storage::store_errc`
  std::string error;
};

/// What a storage shard's sweep of expired dedup entries did (local only).
struct dedup_swept {
  storage::dedup_expiry result;
  uint8_t failure = 0; ///< 0 on success, else the `storage::store_errc`
  std::string error;
};

/// What a storage shard's store recovered at start (local only).
struct shard_recovered {
  storage::shard_recovery recovery;
  uint8_t failure = 0; ///< 0 on success, else the `storage::store_errc`
  std::string error;
};

/// Messages that exhausted their retries, from a shard to its coordinator,
/// which moves them to the dead-letter queue. Each item keeps the message's
/// id and carries its `dead_letter` origin (reason, last error, attempts);
/// the coordinator adds the queue's name and the consumer. Reply:
/// `caf::ok_atom` once the DLQ stored them (then the shard deletes its
/// copies), or an error (then the shard keeps them).
struct dead_letters {
  std::vector<append_item> items;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, dead_letters& x) {
  return f(caf::meta::type_name("dead_letters"), x.items);
}

/// Messages built elsewhere, stored as they are (timestamps kept): dead
/// letters from another queue's coordinator, event envelopes from a
/// subscription. Reply: `caf::ok_atom` once synced.
struct store_messages {
  std::vector<append_item> items;
  /// On a fan-out queue: the consumer whose copy they are (a redrive puts a
  /// message back for the consumer that dead-lettered it); none, or one
  /// that is gone: every consumer gets them, as a send. Ignored elsewhere.
  caf::optional<std::string> consumer_id = caf::none;
  /// A copy a fan-out queue's slot 0 makes for one slot (its own included):
  /// stored where it arrives, never fanned out again.
  bool slot_copy = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, store_messages& x) {
  return f(caf::meta::type_name("store_messages"), x.items, x.consumer_id, x.slot_copy);
}

/// A queue's consumer changed (or was removed: `consumer` unset). `dlq` is
/// the dead-letter queue's coordinator (a `coordinator_actor`; untyped here
/// because the interface cannot name itself), or invalid.
struct consumer_changed {
  caf::optional<storage::consumer_record> consumer;
  caf::actor dlq;
  /// The script a worker consumer names (absent for pull consumers).
  caf::optional<storage::script_record> script;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, consumer_changed& x) {
  return f(caf::meta::type_name("consumer_changed"), x.consumer, x.dlq, x.script);
}

} // namespace sluice
