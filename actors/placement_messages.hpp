#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/meta/type_name.hpp>

#include "actors/data_messages.hpp"

namespace sluice {

/// Everything a node needs to start one storage shard of a queue. It names
/// the shard and carries only values and actor handles, so the node that
/// runs the shard may be another process; the node adds what is its own
/// (stores, clock, lease codec, metrics). Reply: `shard_placed`.
struct shard_spec {
  std::string account;    ///< the queue's account (labels its metrics)
  std::string queue_name; ///< labels its metrics
  std::string queue_id;
  uint16_t shard = 0;
  delivery_settings settings;
  /// The queue's coordinator (a `coordinator_actor`): receives the shard's
  /// `shard_stats`; the shard links to it and ends with it.
  caf::actor coordinator;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_spec& x) {
  return f(caf::meta::type_name("shard_spec"), x.account, x.queue_name, x.queue_id, x.shard,
           x.settings, x.coordinator);
}

/// Where a shard runs: the node's id and the shard (a `storage_shard_actor`).
struct shard_placed {
  std::string node;
  caf::actor shard;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_placed& x) {
  return f(caf::meta::type_name("shard_placed"), x.node, x.shard);
}

/// Asks a coordinator where its shards run. Reply: `shard_map`.
struct get_shard_map {};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, get_shard_map&) {
  return f(caf::meta::type_name("get_shard_map"));
}

/// A queue's shard map as its coordinator holds it: `nodes[i]` runs shard i.
struct shard_map {
  std::vector<std::string> nodes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_map& x) {
  return f(caf::meta::type_name("shard_map"), x.nodes);
}

} // namespace sluice
