#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/control/audit_log.hpp"
#include "actors/control/queue_directory.hpp"
#include "actors/control/token_directory.hpp"
#include "actors/interfaces.hpp"
#include "actors/persister.hpp"
#include "actors/plugins/host/plugin_host.hpp"
#include "actors/queue/lease.hpp"
#include "actors/storage_env.hpp"
#include "events/catalog.hpp"
#include "metrics/registry.hpp"
#include "storage/meta_store.hpp"
#include "storage/records.hpp"

namespace sluice {

/// What the hub starts from: the metadata the meta store recovered
/// (`storage::meta_store::load`), the stores it persists through, and its
/// clock.
struct hub_config {
  storage_env env;
  /// Where the queues' storage shards are placed (the hub links to it).
  node_actor node;
  std::vector<storage::queue_record> queues;
  std::vector<storage::token_record> tokens;
  std::vector<storage::subscription_record> subscriptions;
  std::vector<storage::script_record> scripts;
  /// The audit entries on disk (any order).
  std::vector<storage::audit_record> audit;
  /// The last redrive task of each queue that had one (running ones resume).
  std::vector<storage::redrive_record> redrives = {};
  /// Audit entries kept per account (docs/audit.md); tests make it small.
  size_t audit_retention = default_audit_retention;
  /// Runs the plugins of worker consumers; without one, worker consumers
  /// are stored but deliver nothing.
  std::shared_ptr<plugin_host> plugins;
  /// Where queues publish their gauges (none in unit tests).
  metrics::registry* metrics = nullptr;
  /// The event catalog (default: the built-in one).
  const events::catalog* catalog = nullptr;
  /// Where the hub publishes its tokens for HTTP authentication.
  std::shared_ptr<token_directory> directory;
  /// Where the hub publishes each queue's coordinator for the data path.
  std::shared_ptr<queue_directory> queues_directory;
  /// Issues and checks lease ids (keyed by the data directory's secret).
  std::shared_ptr<const lease_codec> leases;
  /// Unix epoch milliseconds; tests inject a fixed clock.
  std::function<int64_t()> now_ms;
};

/// The queues of one account, indexed by id and by name.
struct account_queues {
  std::unordered_map<std::string, storage::queue_record> by_id;
  std::unordered_map<std::string, std::string> id_by_name;
};

/// State of the hub actor. Helpers never block and never touch the disk.
struct hub_state {
  static inline const char* name = "sluice.hub";

  persister persist;
  storage_env env;
  node_actor node;
  std::shared_ptr<const lease_codec> leases;
  std::function<int64_t()> now_ms;
  std::unordered_map<std::string, account_queues> accounts;
  std::unordered_map<std::string, storage::token_record> tokens_by_hash;
  std::shared_ptr<token_directory> directory;
  std::shared_ptr<queue_directory> queues_directory;
  /// Set once the recovered queues have their coordinators.
  bool started = false;
  std::unordered_map<std::string, coordinator_actor> coordinators;             // by queue id
  std::unordered_map<std::string, storage::subscription_record> subscriptions; // by id
  /// account → script name → script
  std::unordered_map<std::string, std::map<std::string, storage::script_record>> scripts;
  /// Every control-plane change, newest entries per account (see `submit_audited`).
  audit_log audit;
  std::shared_ptr<plugin_host> plugins;
  metrics::registry* metrics = nullptr;
  const events::catalog* catalog = nullptr;
  event_router_actor router;
  /// The last redrive task of each queue, by source queue id.
  std::unordered_map<std::string, storage::redrive_record> redrives;
  /// The actor of each running redrive task, by source queue id.
  std::unordered_map<std::string, redrive_task_actor> redrive_tasks;

  /// Null when the account has no queue `id`.
  storage::queue_record* find(const std::string& account, const std::string& id);
  /// Adds or replaces a queue in the indexes.
  void put(const storage::queue_record& q);
  /// Publishes `tokens_by_hash` to the directory; call after every change.
  void publish_tokens() const;
  /// Publishes every queue that is in the indexes and has a coordinator to
  /// `queues_directory`; `put` and `remove` call it, and whoever starts or
  /// stops a coordinator.
  void publish_queues() const;
  /// Removes a queue from the indexes.
  void remove(const std::string& account, const std::string& id);
  /// The queues of `account` (only the one named `only_name` if non-empty), oldest
  /// first.
  queue_list list(const std::string& account, const std::string& only_name) const;
};

/// Spawns nothing itself but a coordinator per queue (recovered or created).
hub_actor::behavior_type hub(hub_actor::stateful_pointer<hub_state> self, hub_config cfg);

} // namespace sluice
