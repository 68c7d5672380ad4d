#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/records.hpp"
#include "storage/redrive_record.hpp"
#include "storage/result.hpp"

/// The meta store: queues, consumers, subscriptions, tokens, scripts and the
/// audit log. Every change of the control plane is one `meta_change`, applied
/// atomically — a change and the audit entry that records it are durable
/// together or not at all. Same contract as the message store
/// (`storage/message_store.hpp`): applied in submission order, answered only
/// once durable, with a rising index stored beside the state.

namespace sluice::storage {

/// A queue by account and id.
struct queue_ref {
  std::string account;
  std::string id;
};

/// A queue's consumer (at most one per queue unless the queue is multi),
/// stored under its `slot`.
struct consumer_put {
  std::string account;
  std::string queue_id;
  consumer_record consumer;
};

/// The consumer of one slot of a queue (0 on a single-consumer queue).
struct consumer_ref {
  std::string account;
  std::string queue_id;
  uint16_t slot = 0;
};

/// A record of an account by its name or id (subscriptions, scripts).
struct named_ref {
  std::string account;
  std::string name;
};

/// An audit entry by account and seq.
struct audit_ref {
  std::string account;
  uint64_t seq = 0;
};

/// One atomic change of the control plane. A change touches each record at
/// most once (never a put and an erase of the same record); where erasing a
/// queue also erases its consumer, erasures apply before puts.
struct meta_change {
  std::vector<queue_record> put_queues; ///< without their `consumers`
  /// Erases the queue, its consumers, its redrive task and every message of
  /// every shard of it.
  std::vector<queue_ref> erase_queues;
  std::vector<consumer_put> put_consumers;
  std::vector<consumer_ref> erase_consumers;
  std::vector<token_record> put_tokens;
  std::vector<std::string> erase_tokens; ///< by hash
  std::vector<subscription_record> put_subscriptions;
  std::vector<named_ref> erase_subscriptions; ///< name: the subscription id
  std::vector<script_record> put_scripts;
  std::vector<named_ref> erase_scripts;
  std::vector<audit_record> put_audit;
  std::vector<audit_ref> erase_audit;
  /// Redrive tasks, one per source queue (`redrive_record::source_queue_id`).
  std::vector<redrive_record> put_redrives;
};

/// Everything the meta store holds, as read at start-up.
struct meta_snapshot {
  std::vector<queue_record> queues; ///< each with its `consumers`
  std::vector<token_record> tokens;
  std::vector<subscription_record> subscriptions;
  std::vector<script_record> scripts;
  /// Every account's audit entries, by account, then oldest first.
  std::vector<audit_record> audit;
  /// The last redrive task of each queue that had one.
  std::vector<redrive_record> redrives;
};

/// Owned by the backend; any thread may call it.
class meta_store {
public:
  virtual ~meta_store() = default;

  /// Applies `change` atomically; `done` runs once it is durable (or failed).
  virtual void apply(meta_change change, write_callback done) = 0;

  /// Reads every record. Blocks on I/O: start-up only, never from an actor.
  /// A record that cannot be decoded fails the load (`corrupt`), naming it.
  virtual expected<meta_snapshot> load() = 0;

  /// The secret that signs lease ids and peek refs: the stored one, or
  /// `fresh`, stored now (first start). Blocks on I/O: start-up only.
  virtual expected<std::string> lease_secret(const std::string& fresh) = 0;
};

/// Applies `change` and waits until it is durable. Blocks: start-up only
/// (e.g. storing the bootstrap token before the actor system serves).
expected<applied> apply_and_wait(meta_store& store, meta_change change);

} // namespace sluice::storage
