#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "actors/interfaces.hpp"
#include "actors/plugins/host/plugin_host.hpp"
#include "actors/push/concurrency_controller.hpp"
#include "metrics/registry.hpp"

namespace sluice {

/// What a push consumer starts from.
struct push_consumer_config {
  coordinator_actor coordinator;
  std::shared_ptr<plugin_host> plugins;
  push_settings settings;
  /// The queue's metrics (concurrency, invocations), or null.
  std::shared_ptr<metrics::queue_metrics> metrics;
};

/// State of a push consumer (one per worker consumer, docs/api.md batching and
/// concurrency). It fills one batch at a time: a full batch goes out at once,
/// a partial one once `max_wait_time_ms` has passed since its first message
/// was leased; an empty batch never. Each batch goes to a free consumer
/// shard; the concurrency controller decides after each batch how many may
/// run at once.
struct push_consumer_state {
  static inline const char* name = "sluice.push_consumer";

  coordinator_actor coordinator;
  std::shared_ptr<plugin_host> plugins;
  push_settings settings;
  std::shared_ptr<metrics::queue_metrics> metrics;
  concurrency_controller controller;
  /// Consumer shards waiting for a batch.
  std::vector<consumer_shard_actor> idle;
  /// Consumer shards running a batch.
  size_t busy = 0;
  /// The batch being filled (leased messages).
  std::vector<pulled_message> filling;
  /// Bumped whenever `filling` is handed out, so a stale `fill_due` is ignored.
  uint64_t fill_generation = 0;
  uint32_t leasing = 0;  ///< `push_lease` requests under way
  bool stopping = false; ///< the consumer was removed: finish, then quit

  /// How long leased messages stay invisible to others: the longest a batch
  /// can wait plus the plugin's wall-clock limit plus a margin, so a slow
  /// handler is never overtaken by a redelivery of its own messages.
  int64_t visibility_ms() const;
};

push_consumer_actor::behavior_type
push_consumer(push_consumer_actor::stateful_pointer<push_consumer_state> self,
              push_consumer_config cfg);

} // namespace sluice
