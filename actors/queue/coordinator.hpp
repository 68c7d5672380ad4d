#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include <caf/typed_response_promise.hpp>

#include "actors/interfaces.hpp"
#include "actors/plugins/host/plugin_host.hpp"
#include "actors/queue/fanout.hpp"
#include "actors/queue/lease.hpp"
#include "metrics/registry.hpp"

namespace sluice {

/// Storage shards of every queue (docs/architecture.md: 2, fixed).
inline constexpr uint16_t default_shard_count = 2;

/// What a coordinator starts from.
struct coordinator_config {
  storage::queue_record queue;
  /// Where the queue's storage shards are placed (today: this process's node).
  node_actor node;
  std::shared_ptr<const lease_codec> leases;
  std::function<int64_t()> now_ms;
  /// Where the queue's own events go (message.dead_lettered).
  event_router_actor events;
  /// Runs worker consumers' plugins (none: worker consumers deliver nothing).
  std::shared_ptr<plugin_host> plugins;
  /// Where the queue's metrics come from (none: no metrics).
  metrics::registry* metrics = nullptr;
  /// Which shard set of the queue it serves (docs/architecture.md, "Fan-out"):
  /// 0 for the queue's own coordinator; k > 0 for a slot coordinator, whose
  /// shards are numbered from k * default_shard_count.
  uint16_t slot = 0;
  /// A slot coordinator's queue coordinator, which it reports its backlog to.
  coordinator_actor parent = {};
};

/// One entry of a coordinator's shard map: where the shard runs and its last
/// known backlog.
struct shard_slot {
  /// The id of the node that runs the shard (`node_services::id`).
  std::string node;
  storage_shard_actor actor;
  queue_stats stats;
  /// The shard has recovered and reported at least once; `get_stats` waits
  /// (skips) until every shard has, so a restart never shows an empty queue.
  bool ready = false;
};

/// State of a queue's coordinator: settings, the shard map with each
/// shard's last known backlog, and the round-robin cursor for sends/pulls.
/// A pull that waits (`wait_time_ms`) for a message to become ready.
struct waiting_pull {
  uint64_t id = 0;
  int64_t batch = 0;
  int64_t visibility_ms = 0;
  caf::typed_response_promise<pulled_batch> rp;
  /// The shards were asked at this `stats_epoch` and had nothing (0: not yet).
  uint64_t tried_epoch = 0;
  bool tried = false;
  /// Its time is up (or the queue paused): answered once the ask in flight ends.
  bool over = false;
};

struct coordinator_state {
  static inline const char* name = "sluice.coordinator";

  storage::queue_record queue;
  std::shared_ptr<const lease_codec> leases;
  std::function<int64_t()> now_ms;
  /// The shard map, indexed by shard number minus `shard_base()` (lease ids
  /// name the number).
  std::vector<shard_slot> shards;
  /// Which consumer slot it serves (`coordinator_config::slot`).
  uint16_t slot_number = 0;
  /// A slot coordinator's queue coordinator (invalid for slot 0).
  coordinator_actor parent;
  /// What a slot coordinator is spawned with (fan-out queues).
  node_actor node;
  metrics::registry* registry = nullptr;
  /// The further slots of a fan-out queue, by slot (empty otherwise).
  std::map<uint16_t, fanout_slot> slots;
  /// Where the ids a fan-out send gives every copy of a message come from
  /// (random at the first such send, then counted: unique, not secret; 0 =
  /// not seeded yet).
  uint64_t next_id = 0;
  size_t next_shard = 0;
  caf::optional<storage::consumer_record> consumer;
  coordinator_actor dead_letter_queue; ///< invalid when there is none
  purge_status last_purge;
  event_router_actor events;
  std::shared_ptr<plugin_host> plugins;
  /// The script of a worker consumer, when it has one.
  caf::optional<storage::script_record> script;
  /// Delivers to the worker consumer (invalid when there is none).
  push_consumer_actor push;
  /// The push consumer found nothing ready and waits for `messages_ready`.
  bool push_waiting = false;
  /// Long polls that found nothing ready, oldest first (docs/api.md).
  std::deque<waiting_pull> waiting_pulls;
  uint64_t next_wait_id = 0;
  /// The oldest waiting pull is asking the shards now (one at a time).
  bool serving_waiter = false;
  /// Counts reports that may mean new ready messages (shard stats, sends);
  /// a waiting pull that found nothing is asked again only after one.
  uint64_t stats_epoch = 0;
  /// The queue's metrics (null without a registry), shared with its shards
  /// and push consumer; its series go when the last of them ends.
  std::shared_ptr<metrics::queue_metrics> metrics;

  /// The number of its first shard.
  uint16_t shard_base() const { return static_cast<uint16_t>(slot_number * default_shard_count); }
  /// The sum over its shards.
  queue_stats stats() const;
  /// The delivery settings shards apply (from the consumer, else defaults).
  delivery_settings settings() const;
};

/// Spawned by the hub for every queue (linked to it). Before it serves it
/// places its storage shards on `cfg.node` (awaiting each placement, so
/// requests wait in its mailbox); the shards link to it and end with it.
coordinator_actor::behavior_type
coordinator(coordinator_actor::stateful_pointer<coordinator_state> self, coordinator_config cfg);

} // namespace sluice
