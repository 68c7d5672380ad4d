#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "http/message.hpp"

namespace sluice::http {

/// The responders of requests this node forwarded and whose response has not
/// come back, by forwarding id. I/O threads add; the forwarder takes.
/// Thread-safe.
class pending_forwards {
public:
  using clock = std::chrono::steady_clock;

  /// Keeps `reply` under a new id, which it returns.
  uint64_t add(responder reply);

  /// The responder of `id`, removed; none if it was taken already.
  std::optional<responder> take(uint64_t id);

  /// Every responder, removed (the link to the leader broke).
  std::vector<responder> take_all();

  /// Forgets responders added before `cutoff`: the server answered their
  /// requests long ago (504), and a late response would be dropped anyway.
  size_t forget_older_than(clock::time_point cutoff);

  size_t size() const;

private:
  struct entry {
    responder reply;
    clock::time_point added;
  };
  mutable std::mutex mtx_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, entry> entries_;
};

} // namespace sluice::http
