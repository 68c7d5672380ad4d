#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "actors/errc.hpp"

namespace sluice::http {

/// One member of the cluster as `GET /client/v4/cluster` shows it.
struct cluster_member_view {
  uint64_t id = 0;
  std::string address;
  std::string role; ///< voter, standby or spare
};

/// This node's view of the cluster (docs/cluster.md, "Operating it").
struct cluster_view {
  uint64_t node_id = 0;
  std::string role; ///< leader, follower, candidate or unavailable
  uint64_t term = 0;
  uint64_t leader_id = 0; ///< 0: no leader known
  std::string leader_address;
  uint64_t commit_index = 0;
  uint64_t applied_index = 0;
  uint64_t last_index = 0;
  /// Whether this node's hub runs (it leads and has taken over).
  bool serving = false;
  std::vector<cluster_member_view> members;
};

/// What the cluster routes may do with this node's raft member; implemented
/// by the composition root over the replicated store. Callbacks may run on
/// any thread.
class cluster_control {
public:
  /// `errc::none` and an empty message on success.
  using done_fn = std::function<void(errc, std::string)>;

  virtual ~cluster_control() = default;

  virtual cluster_view status() const = 0;

  /// Leader only: adds node `id` listening for raft at `address` and makes
  /// it a voter once it has caught up.
  virtual void add_member(uint64_t id, std::string address, done_fn done) = 0;

  /// Leader only: removes node `id` from the group.
  virtual void remove_member(uint64_t id, done_fn done) = 0;
};

} // namespace sluice::http
