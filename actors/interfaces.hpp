#pragma once

#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/audit_messages.hpp"
#include "actors/data_messages.hpp"
#include "actors/event_messages.hpp"
#include "actors/fanout_messages.hpp"
#include "actors/messages.hpp"
#include "actors/placement_messages.hpp"
#include "actors/push_messages.hpp"
#include "actors/redrive_messages.hpp"
#include "actors/script_messages.hpp"
#include "actors/type_ids.hpp"

/// Every typed actor interface of Sluice. A message an actor does not
/// understand is a compile error at the sender.

namespace sluice {

// One signature per line, so that a change to an interface is one line.
// clang-format off

/// One per queue: holds the queue's settings, consumer and shard map; routes
/// sends, pulls and acks to its storage shards and moves exhausted messages
/// to the dead-letter queue. Receives a `queue_record` whenever the hub
/// changes the queue, `shard_stats` from its shards; its shard map names the
/// node each shard runs on.
using coordinator_actor = caf::typed_actor<
  caf::reacts_to<storage::queue_record>,
  caf::replies_to<send_messages>::with<sent_messages>,
  caf::replies_to<pull_messages>::with<pulled_batch>,
  caf::replies_to<ack_messages>::with<ack_result>,
  caf::replies_to<get_stats>::with<queue_stats>,
  caf::reacts_to<shard_stats>,
  caf::reacts_to<consumer_changed>,
  caf::reacts_to<consumer_set>,
  caf::reacts_to<slot_stats>,
  caf::replies_to<get_consumer_backlogs>::with<consumer_backlogs>,
  caf::replies_to<dead_letters>::with<caf::ok_atom>,
  caf::replies_to<store_messages>::with<caf::ok_atom>,
  caf::replies_to<purge_queue>::with<purge_status>,
  caf::replies_to<get_purge_status>::with<purge_status>,
  caf::replies_to<peek_messages>::with<pulled_batch>,
  caf::replies_to<delete_refs>::with<ack_result>,
  caf::replies_to<push_lease>::with<pulled_batch>,
  caf::reacts_to<push_idle>,
  caf::replies_to<get_shard_map>::with<shard_map>,
  caf::reacts_to<pull_wait_over>,
  caf::reacts_to<release_waiting_pulls>,
  caf::replies_to<redrive_take>::with<pulled_batch>>;

/// One per worker consumer, spawned by the queue's coordinator: fills batches
/// (full, or partial after max_wait_time_ms), hands them to its consumer
/// shards and sizes their number with the concurrency controller.
using push_consumer_actor = caf::typed_actor<
  caf::reacts_to<push_settings>,
  caf::reacts_to<messages_ready>,
  caf::reacts_to<push_stop>,
  caf::reacts_to<fill_due>>;

/// 1..max_concurrency per push consumer: runs one batch at a time through the
/// plugin host (off the CAF scheduler) and settles each message's outcome.
using consumer_shard_actor = caf::typed_actor<
  caf::replies_to<run_batch>::with<batch_report>,
  caf::reacts_to<invocation_finished>>;

/// N per queue: owns a partition of the queue's messages (append, lease,
/// ack, retry, delays, lease expiry, retention). Replies only after changes
/// are synced.
using storage_shard_actor = caf::typed_actor<
  caf::replies_to<shard_append>::with<sent_messages>,
  caf::replies_to<shard_lease>::with<pulled_batch>,
  caf::replies_to<shard_ack>::with<ack_result>,
  caf::replies_to<shard_peek>::with<pulled_batch>,
  caf::replies_to<shard_purge>::with<queue_stats>,
  caf::replies_to<shard_take>::with<pulled_batch>,
  caf::reacts_to<delivery_settings>,
  caf::reacts_to<tick_atom>,
  caf::reacts_to<page_loaded>,
  caf::reacts_to<shard_recovered>,
  caf::reacts_to<dedup_looked_up>,
  caf::reacts_to<dedup_swept>,
  caf::reacts_to<write_done>>;

/// One per process: owns the process's stores and runs the storage shards
/// placed on it. Spawns a shard from its `shard_spec` and answers where it
/// runs; the spec is all it needs, so the coordinator may be elsewhere.
using node_actor = caf::typed_actor<
  caf::replies_to<shard_spec>::with<shard_placed>>;

/// One per event subscription: turns routed events into envelopes (docs/events.md)
/// and appends them to the destination queue. Receives its record again
/// when the subscription changes.
using subscription_actor = caf::typed_actor<
  caf::replies_to<deliver_events>::with<caf::ok_atom>,
  caf::reacts_to<subscription_changed>>;

/// One per process: validates published events against the catalog and fans
/// each out to the subscription actors that match (indexed by account).
using event_router_actor = caf::typed_actor<
  caf::replies_to<publish_events>::with<publish_result>,
  caf::replies_to<subscription_changed>::with<caf::ok_atom>>;

/// One per process: the control plane — the registry of accounts, queues,
/// consumers, subscriptions, scripts and tokens. Every change is persisted
/// (synced) before it is answered, with its audit entry in the same change.
/// It publishes where each queue's coordinator is (`queue_directory`);
/// sends, pulls and acks go there directly, never through the hub.
using hub_actor = caf::typed_actor<
  caf::replies_to<create_queue>::with<storage::queue_record>,
  caf::replies_to<list_queues>::with<queue_list>,
  caf::replies_to<get_queue>::with<storage::queue_record>,
  caf::replies_to<update_queue>::with<storage::queue_record>,
  caf::replies_to<delete_queue>::with<caf::ok_atom>,
  caf::replies_to<put_consumer>::with<storage::consumer_record>,
  caf::replies_to<delete_consumer>::with<caf::ok_atom>,
  caf::replies_to<create_token>::with<token_created>,
  caf::replies_to<list_tokens>::with<token_list>,
  caf::replies_to<revoke_token>::with<caf::ok_atom>,
  caf::replies_to<purge_queue>::with<purge_status>,
  caf::replies_to<create_subscription>::with<storage::subscription_record>,
  caf::replies_to<update_subscription>::with<storage::subscription_record>,
  caf::replies_to<get_subscription>::with<storage::subscription_record>,
  caf::replies_to<delete_subscription>::with<storage::subscription_record>,
  caf::replies_to<list_subscriptions>::with<subscription_list>,
  caf::replies_to<publish_events>::with<publish_result>,
  caf::replies_to<put_script>::with<storage::script_record>,
  caf::replies_to<get_script>::with<storage::script_record>,
  caf::replies_to<list_scripts>::with<script_list>,
  caf::replies_to<delete_script>::with<caf::ok_atom>,
  caf::replies_to<list_audit>::with<audit_list>,
  caf::replies_to<start_redrive>::with<storage::redrive_record>,
  caf::replies_to<get_redrive>::with<storage::redrive_record>,
  caf::replies_to<cancel_redrive>::with<storage::redrive_record>,
  caf::reacts_to<redrive_progress>,
  caf::reacts_to<write_done>>;

/// One per running redrive task, spawned by the hub (docs/api.md, "Redrive"):
/// takes batches from its source queue, stores each message in its
/// destination, then removes it from the source; reports to the hub after
/// every batch.
using redrive_task_actor = caf::typed_actor<
  caf::reacts_to<redrive_step>,
  caf::reacts_to<redrive_stop>>;

// clang-format on

} // namespace sluice
