#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "actors/data_messages.hpp"

/// The messages of fan-out queues (`settings.consumer_mode` "multi",
/// docs/architecture.md "Fan-out"): the hub tells a queue's coordinator all its
/// consumers, the coordinator of each further consumer's slot reports its
/// backlog to the queue's. Registered in `actors/type_ids.hpp`.

namespace sluice {

/// Hub → coordinator of a fan-out queue: every consumer it has now (each with
/// its `slot`, its script and dead-letter queue). A slot not named any more
/// is purged and stopped.
struct consumer_set {
  std::vector<consumer_changed> consumers;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, consumer_set& x) {
  return f(caf::meta::type_name("consumer_set"), x.consumers);
}

/// Coordinator of slot `slot` → the queue's coordinator (slot 0): the
/// slot's backlog, after every change.
struct slot_stats {
  uint16_t slot = 0;
  queue_stats stats;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, slot_stats& x) {
  return f(caf::meta::type_name("slot_stats"), x.slot, x.stats);
}

/// The backlog one consumer of a queue still has to process.
struct consumer_backlog {
  std::string consumer_id;
  queue_stats stats;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, consumer_backlog& x) {
  return f(caf::meta::type_name("consumer_backlog"), x.consumer_id, x.stats);
}

/// Read the backlog of each consumer of a fan-out queue. Reply:
/// `consumer_backlogs` (empty for a single-consumer queue: its backlog is the
/// queue's), or `queue_not_found`.
struct get_consumer_backlogs {
  std::string account;
  std::string queue_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, get_consumer_backlogs& x) {
  return f(caf::meta::type_name("get_consumer_backlogs"), x.account, x.queue_id);
}

/// Reply to `get_consumer_backlogs`, by slot.
struct consumer_backlogs {
  std::vector<consumer_backlog> consumers;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, consumer_backlogs& x) {
  return f(caf::meta::type_name("consumer_backlogs"), x.consumers);
}

} // namespace sluice
