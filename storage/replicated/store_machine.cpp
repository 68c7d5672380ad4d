#include "storage/replicated/store_machine.hpp"

#include <cstdio>
#include <cstdlib>

#include "storage/codec.hpp"
#include "storage/replicated/command_codec.hpp"

namespace sluice::storage {

namespace {

/// Stops the process: a replica that cannot apply what its peers applied
/// must not go on as if it had.
[[noreturn]] void stop_replica(const std::string& why) {
  std::fprintf(stderr,
               "sluice: replicated store: %s; stopping this node rather than diverging from "
               "its peers (docs/cluster.md)\n",
               why.c_str());
  std::fflush(stderr);
  std::abort();
}

} // namespace

store_machine::store_machine(rocksdb_backend& local, uint64_t applied)
  : local_(local), applied_(applied) {}

uint64_t store_machine::applied_index() const {
  return applied_.load();
}

void store_machine::apply(uint64_t index, const std::vector<std::string_view>& commands) {
  if (index <= applied_.load())
    return; // already held (the bridge skips these too)
  std::vector<store_command> decoded;
  decoded.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    auto cmd = decode_command(commands[i]);
    if (!cmd)
      stop_replica("command " + std::to_string(i) + " of log entry " + std::to_string(index)
                   + " cannot be decoded (corrupt, or written by a newer format than "
                   + std::to_string(command_format) + ")");
    decoded.push_back(std::move(*cmd));
  }
  auto done = local_.apply_at(index, decoded);
  if (!done)
    stop_replica("cannot apply log entry " + std::to_string(index) + " to the local store ("
                 + to_string(done.error().code) + "): " + done.error().message);
  applied_.store(index);
  entries_applied_.fetch_add(1);
}

std::string store_machine::snapshot() {
  return encoder{}.u8(1).u64(applied_.load()).take();
}

void store_machine::restore(uint64_t index, std::string_view) {
  if (index <= applied_.load())
    return;
  stop_replica("a peer sent a snapshot at log index " + std::to_string(index)
               + " but the local store holds only up to index " + std::to_string(applied_.load())
               + ": this node missed entries its peers have compacted away, and catching up "
                 "from a peer's RocksDB checkpoint is not implemented yet; restore this node's "
                 "data directory from a copy of a peer's (stopped) one");
}

} // namespace sluice::storage
