#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "actors/data_messages.hpp"
#include "actors/plugins/host/plugin_host.hpp"
#include "actors/script_messages.hpp"

/// The message vocabulary of push delivery (docs/api.md, docs/plugins.md): a queue's
/// coordinator runs one push consumer per worker consumer, which leases
/// batches and hands them to its consumer shards, which run the plugin and
/// settle the outcome. Registered in `actors/type_ids.hpp`.

namespace sluice {

/// Coordinator → push consumer, at start and whenever the queue, its consumer
/// or the consumer's script changes.
struct push_settings {
  std::string queue_name;
  storage::consumer_record consumer;
  storage::script_record script;
  bool paused = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, push_settings& x) {
  return f(caf::meta::type_name("push_settings"), x.queue_name, x.consumer, x.script, x.paused);
}

/// Push consumer → coordinator: lease up to `n` ready messages for a push
/// batch, invisible to others for `visibility_ms`. Reply: `pulled_batch`,
/// empty while the queue is paused.
struct push_lease {
  uint32_t n = 0;
  int64_t visibility_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, push_lease& x) {
  return f(caf::meta::type_name("push_lease"), x.n, x.visibility_ms);
}

/// Push consumer → coordinator: nothing was ready; send `messages_ready`
/// once something is (at once if something already is).
struct push_idle {};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, push_idle&) {
  return f(caf::meta::type_name("push_idle"));
}

/// Coordinator → push consumer: messages are ready (after a `push_idle`).
struct messages_ready {};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, messages_ready&) {
  return f(caf::meta::type_name("messages_ready"));
}

/// Coordinator → push consumer: the worker consumer is gone. Batches in flight
/// finish and settle, then the push consumer and its shards stop.
struct push_stop {};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, push_stop&) {
  return f(caf::meta::type_name("push_stop"));
}

/// Push consumer → itself: `max_wait_time_ms` passed since the batch being
/// filled got its first message (`generation` tells which batch).
struct fill_due {
  uint64_t generation = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fill_due& x) {
  return f(caf::meta::type_name("fill_due"), x.generation);
}

/// Push consumer → consumer shard: run one batch through the script's plugin
/// and settle it. Reply: `batch_report`.
struct run_batch {
  std::string queue_name;
  std::string plugin;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<pulled_message> messages; ///< leased; `lease_id` settles each
  /// The worker consumer's id: its settlement names it (a fan-out queue needs it).
  std::string consumer_id = {};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_batch& x) {
  return f(caf::meta::type_name("run_batch"), x.queue_name, x.plugin, x.env, x.messages,
           x.consumer_id);
}

/// What came of one batch, for the concurrency controller.
struct batch_report {
  bool failed = false; ///< threw, timed out or could not load (not: explicit retries)
  uint32_t messages = 0;
  int64_t duration_ms = 0; ///< the invocation's run time
  queue_stats stats;       ///< the queue after settling
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, batch_report& x) {
  return f(caf::meta::type_name("batch_report"), x.failed, x.messages, x.duration_ms, x.stats);
}

/// Plugin host thread → consumer shard: the invocation ended. Local only
/// (never serialized).
struct invocation_finished {
  invocation_result result;
  int64_t duration_us = 0;
};

} // namespace sluice
