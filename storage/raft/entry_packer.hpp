#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include "storage/raft/outcome.hpp"

namespace sluice::storage::raft {

/// One `raft_node::apply` call: commands that go into one entry together
/// (never split), and who to tell.
struct submission {
  std::vector<std::string> commands;
  apply_callback done;
  /// The commands' bytes in all.
  size_t bytes() const;
};

/// What one log entry may hold.
struct entry_limits {
  size_t max_commands = 1000;
  size_t max_bytes = size_t{4} << 20;
};

/// Moves the submissions for the next entry from the front of `pending`, in
/// order: as many whole submissions as fit `limits`, and at least one (a
/// submission larger than the limits goes alone). Empty only when `pending` is.
std::vector<submission> take_entry(std::deque<submission>& pending, const entry_limits& limits);

} // namespace sluice::storage::raft
