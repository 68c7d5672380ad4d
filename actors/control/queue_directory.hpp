#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/control/published.hpp"

#include "actors/interfaces.hpp"

namespace sluice {

/// Where each queue's coordinator is, readable from any thread without a
/// message round trip, so that sends, pulls and acks go from the HTTP thread
/// straight to the queue's coordinator and the hub stays out of the data
/// path. The hub, the only writer, publishes an immutable table after every
/// change (a queue created, recovered or deleted); a queue being deleted
/// leaves the table before its deletion is durable, as it leaves the hub's
/// own indexes.
class queue_directory {
public:
  struct entry {
    std::string account;
    coordinator_actor coordinator;
  };

  /// Entry by queue id.
  using table = std::unordered_map<std::string, entry>;

  /// Replaces the table readers see.
  void publish(table t);

  /// The coordinator of queue `queue_id` if `account` owns it, or none.
  std::optional<coordinator_actor> find(const std::string& account,
                                        const std::string& queue_id) const;

  /// Every coordinator in the table now.
  std::vector<coordinator_actor> all() const;

private:
  published<table> table_;
};

} // namespace sluice
