#include "storage/raft/entry_packer.hpp"

namespace sluice::storage::raft {

size_t submission::bytes() const {
  size_t n = 0;
  for (const auto& c : commands)
    n += c.size();
  return n;
}

std::vector<submission> take_entry(std::deque<submission>& pending, const entry_limits& limits) {
  std::vector<submission> out;
  size_t commands = 0;
  size_t bytes = 0;
  while (!pending.empty()) {
    auto& next = pending.front();
    size_t next_commands = next.commands.size();
    size_t next_bytes = next.bytes();
    if (!out.empty()
        && (commands + next_commands > limits.max_commands
            || bytes + next_bytes > limits.max_bytes))
      break;
    commands += next_commands;
    bytes += next_bytes;
    out.push_back(std::move(next));
    pending.pop_front();
  }
  return out;
}

} // namespace sluice::storage::raft
