#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api.hpp"
#include "server_process.hpp"

namespace sluice::test {

/// Three real `sluice serve` processes forming one cluster on loopback
/// (docs/cluster.md): each with its own temp data dir, an ephemeral HTTP
/// port and two free consecutive ports for raft and forwarding. Not
/// thread-safe.
class cluster_processes {
public:
  /// `extra`: more `serve` flags for every node.
  explicit cluster_processes(size_t nodes = 3, const std::vector<std::string>& extra = {});

  size_t size() const { return nodes_.size(); }
  server_process& node(size_t i) { return *nodes_[i]; }
  /// "HOST:PORT" node `i` listens on for raft.
  const std::string& raft_address(size_t i) const { return raft_[i]; }

  /// Parsed `GET /client/v4/cluster` of node `i` (status 0 if it is down or
  /// did not answer).
  std::unique_ptr<reply> status(size_t i);

  /// Waits until one running node leads and serves, and every other running
  /// node names it; returns its index. Fails the test after `seconds`.
  size_t serving_leader(int seconds = 60);

  /// Waits until every running node has applied what the leader has.
  void await_converged(int seconds = 60);

  /// Whether node `i` runs (not killed).
  bool running(size_t i) const { return up_[i]; }
  void kill9(size_t i);
  /// SIGTERM to node `i`; its exit status.
  int terminate(size_t i);
  void restart(size_t i);

private:
  std::vector<std::string> raft_;
  std::vector<std::unique_ptr<server_process>> nodes_;
  std::vector<bool> up_;
};

/// Two consecutive free loopback ports (raft, then forwarding).
uint16_t free_port_pair();

} // namespace sluice::test
