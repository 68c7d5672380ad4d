#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include <caf/actor_system.hpp>

#include "storage/raft/node_config.hpp"
#include "storage/replicated/checkpoint_source.hpp"

namespace sluice::http {

/// How a node reaches its peers' checkpoints.
struct remote_checkpoints_config {
  /// This node's id (never asked).
  uint64_t self_id = 0;
  /// Asked in turn when no leader is known (the leader first when one is).
  std::vector<storage::raft::member> members;
  /// A node's gateway listens at its raft port + this.
  uint16_t forward_port_offset = 1;
  /// Bounds on each step; past one the attempt fails and the store machine
  /// tries again later.
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds prepare_timeout{60000};
  std::chrono::milliseconds read_timeout{15000};
};

/// The follower's side of catching up from a checkpoint (docs/cluster.md,
/// "Catching up from a checkpoint"): checkpoint sources that forward
/// `prepare` and `read_chunk` over CAF's middleman to a peer's gateway,
/// which serves them from its `replicated_backend::checkpoints()`. The
/// source asks the leader it is given, or every other member when none is
/// known, and reads every chunk from the peer whose checkpoint it took.
///
/// The factory exists before the actor system does (the replicated backend
/// is configured with it); until `attach` and after `detach` its sources
/// fail with `io_error`, which the store machine retries. A source blocks its
/// caller — the raft thread, never a scheduler thread — for at most a
/// time-out per step while an event-based client actor talks to the peer
/// (a blocking `scoped_actor` on the raft thread kept `~actor_system` from
/// returning). Thread-safe.
class remote_checkpoints {
public:
  explicit remote_checkpoints(remote_checkpoints_config config);
  ~remote_checkpoints();

  /// For `replicated_config::catch_up.source`; may outlive this object.
  storage::checkpoint_source_factory factory();

  /// Sources reach peers through `sys` from now on.
  void attach(caf::actor_system& sys);
  /// Fails the calls in progress and every later one, and stops the client
  /// actor; call before `sys` is destroyed. Idempotent.
  void detach();

  /// The state sources share with this object (defined in the .cpp).
  struct shared;

private:
  std::shared_ptr<shared> shared_;
};

} // namespace sluice::http
