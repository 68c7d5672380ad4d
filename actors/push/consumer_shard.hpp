#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include <caf/typed_response_promise.hpp>

#include "actors/interfaces.hpp"
#include "actors/plugins/host/plugin_host.hpp"
#include "metrics/queue_metrics.hpp"

namespace sluice {

/// What a consumer shard starts from.
struct consumer_shard_config {
  coordinator_actor coordinator; ///< settles the outcomes
  std::shared_ptr<plugin_host> plugins;
  /// The queue's metrics (invocation time and failures), or null.
  std::shared_ptr<metrics::queue_metrics> metrics;
};

/// State of a consumer shard: at most one batch at a time, run on the plugin
/// host's threads (never on the CAF scheduler), then settled through the
/// coordinator: acks delete, retries come back after their delay or go to the
/// dead-letter queue once out of retries.
struct consumer_shard_state {
  static inline const char* name = "sluice.consumer_shard";

  coordinator_actor coordinator;
  std::shared_ptr<plugin_host> plugins;
  std::shared_ptr<metrics::queue_metrics> metrics;
  /// The batch under way: its lease ids (batch order) and who waits for it.
  std::vector<std::string> lease_ids;
  std::string queue_name;  ///< for the log line of a failed batch
  std::string consumer_id; ///< named in its settlement (fan-out queues route by it)
  caf::typed_response_promise<batch_report> pending;
  bool running = false;
};

consumer_shard_actor::behavior_type
consumer_shard(consumer_shard_actor::stateful_pointer<consumer_shard_state> self,
               consumer_shard_config cfg);

} // namespace sluice
