#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>
#include <caf/typed_actor.hpp>

/// The messages between the nodes of a cluster (docs/cluster.md, "Any node
/// serves"): a follower forwards the API requests it receives to the
/// leader's gateway over CAF's middleman, in batches, and gets each response
/// back. They carry an HTTP request's parts as plain fields, so the leader
/// runs it exactly as if it had arrived there. Registered in
/// `actors/type_ids.hpp`; every field crosses the network.

namespace sluice {

/// One forwarded API request; `id` is the forwarding node's own.
struct forwarded_request {
  uint64_t id = 0;
  std::string method;
  std::string path;
  std::string query;
  std::string authorization;
  std::string body;
  std::string content_type;
  std::string peer;
  caf::optional<std::string> idempotency_key;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, forwarded_request& x) {
  return f(caf::meta::type_name("forwarded_request"), x.id, x.method, x.path, x.query,
           x.authorization, x.body, x.content_type, x.peer, x.idempotency_key);
}

/// The leader's response to forwarded request `id`.
struct forwarded_response {
  uint64_t id = 0;
  int32_t status = 200;
  std::string body;
  std::string content_type;
  std::vector<std::string> header_names;
  std::vector<std::string> header_values;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, forwarded_response& x) {
  return f(caf::meta::type_name("forwarded_response"), x.id, x.status, x.body, x.content_type,
           x.header_names, x.header_values);
}

/// Follower's forwarder → leader's gateway: requests that arrived together.
/// The responses go back to the sender, one `forwarded_responses` each.
struct forward_batch {
  std::vector<forwarded_request> requests;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, forward_batch& x) {
  return f(caf::meta::type_name("forward_batch"), x.requests);
}

/// Gateway → forwarder: responses to forwarded requests.
struct forwarded_responses {
  std::vector<forwarded_response> responses;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, forwarded_responses& x) {
  return f(caf::meta::type_name("forwarded_responses"), x.responses);
}

/// This node's supervisor → its forwarder: forward to the gateway of node
/// `leader_id` at `host`:`port` (0: no leader known, forward nothing).
struct forward_to {
  uint64_t leader_id = 0;
  std::string host;
  uint16_t port = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, forward_to& x) {
  return f(caf::meta::type_name("forward_to"), x.leader_id, x.host, x.port);
}

/// A node behind the leader's compacted log → a peer's gateway (docs/cluster.md,
/// "Catching up from a checkpoint"): make (or reuse) a checkpoint of the store
/// holding at least `min_index`.
struct checkpoint_prepare {
  uint64_t min_index = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_prepare& x) {
  return f(caf::meta::type_name("checkpoint_prepare"), x.min_index);
}

/// The answer to `checkpoint_prepare`: the checkpoint's id, the applied index
/// it holds at least, and its files (names and sizes, index by index); or,
/// when `error` is not empty, why there is none.
struct checkpoint_offer {
  std::string error;
  std::string id;
  uint64_t applied_index = 0;
  std::vector<std::string> file_names;
  std::vector<uint64_t> file_sizes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_offer& x) {
  return f(caf::meta::type_name("checkpoint_offer"), x.error, x.id, x.applied_index, x.file_names,
           x.file_sizes);
}

/// Up to `max` bytes of `file` of checkpoint `checkpoint` from `offset`.
struct checkpoint_read {
  std::string checkpoint;
  std::string file;
  uint64_t offset = 0;
  uint64_t max = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_read& x) {
  return f(caf::meta::type_name("checkpoint_read"), x.checkpoint, x.file, x.offset, x.max);
}

/// The answer to `checkpoint_read`: the bytes (shorter only at the end of the
/// file), or, when `error` is not empty, why not.
struct checkpoint_chunk {
  std::string error;
  std::string bytes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_chunk& x) {
  return f(caf::meta::type_name("checkpoint_chunk"), x.error, x.bytes);
}

/// Serves this node's checkpoints (a detached actor: it reads files).
using checkpoint_server_actor =
    caf::typed_actor<caf::replies_to<checkpoint_prepare>::with<checkpoint_offer>,
                     caf::replies_to<checkpoint_read>::with<checkpoint_chunk>>;

/// Every node publishes one at its forwarding port; followers send it the
/// requests they forward, and a node catching up asks it for checkpoints.
using gateway_actor =
    caf::typed_actor<caf::reacts_to<forward_batch>>::extend_with<checkpoint_server_actor>;

/// One per node: batches the requests this node forwards and hands each
/// response back to its connection.
using forwarder_actor =
    caf::typed_actor<caf::reacts_to<forwarded_request>, caf::reacts_to<forwarded_responses>,
                     caf::reacts_to<forward_to>>;

} // namespace sluice
