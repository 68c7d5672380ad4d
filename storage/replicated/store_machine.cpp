#include "storage/replicated/store_machine.hpp"

#include <cstdio>
#include <cstdlib>

#include "storage/codec.hpp"
#include "storage/replicated/checkpoint_fetch.hpp"
#include "storage/replicated/command_codec.hpp"
#include "storage/rocksdb/store_swap.hpp"

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

store_machine::store_machine(rocksdb_backend& local, uint64_t applied, catch_up_config catch_up)
  : local_(local), applied_(applied), catch_up_(std::move(catch_up)) {}

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
  // Entries are applied unsynced (raft's log holds them durably); raft drops
  // the log below a snapshot, so what the marker names must be on disk here
  // first.
  auto durable = local_.sync_applied();
  if (!durable)
    stop_replica(std::string{"cannot sync the local store before a snapshot ("}
                 + to_string(durable.error().code) + "): " + durable.error().message);
  return encoder{}.u8(1).u64(*durable).take();
}

bool store_machine::restore(uint64_t index, std::string_view) {
  if (index <= applied_.load())
    return true;
  std::string missed = "a peer sent a snapshot at log index " + std::to_string(index)
                       + " but the local store holds only up to index "
                       + std::to_string(applied_.load());
  if (!catch_up_.source) {
    std::fprintf(stderr,
                 "sluice: replicated store: %s, and no checkpoint source is configured to "
                 "catch up from (docs/cluster.md): refusing the snapshot\n",
                 missed.c_str());
    return false;
  }
  for (unsigned attempt = 1;; ++attempt) {
    if (cancelled_.load())
      return false;
    auto leader = leader_lookup_ ? leader_lookup_() : raft::leader_hint{};
    auto done = catch_up(index, leader);
    if (done) {
      std::fprintf(stderr,
                   "sluice: replicated store: %s; caught up from a checkpoint of leader %llu: "
                   "the local store now holds up to index %llu\n",
                   missed.c_str(), static_cast<unsigned long long>(leader.id),
                   static_cast<unsigned long long>(*done));
      return true;
    }
    bool last = catch_up_.max_attempts != 0 && attempt >= catch_up_.max_attempts;
    std::fprintf(stderr,
                 "sluice: replicated store: %s; catching up from a checkpoint (leader %llu at "
                 "'%s') failed (attempt %u): %s; %s\n",
                 missed.c_str(), static_cast<unsigned long long>(leader.id), leader.address.c_str(),
                 attempt, done.error().message.c_str(),
                 last ? "giving up, refusing the snapshot" : "retrying");
    if (last)
      return false;
    std::unique_lock lock{wait_mtx_};
    wake_.wait_for(lock, catch_up_.retry_delay, [this] { return cancelled_.load(); });
  }
}

expected<uint64_t> store_machine::catch_up(uint64_t index, const raft::leader_hint& leader) {
  auto source = catch_up_.source ? catch_up_.source(leader) : nullptr;
  if (!source)
    return store_error{store_errc::io_error, "no checkpoint source for leader "
                                                 + std::to_string(leader.id) + " at '"
                                                 + leader.address + "'"};
  auto incoming = incoming_dir_of(local_.dir());
  auto fetched = fetch_checkpoint(*source, index, incoming, catch_up_.chunk_size, &cancelled_);
  if (!fetched) {
    (void)remove_dir(incoming);
    return fetched.error();
  }
  auto swapped = local_.swap_in_incoming(index);
  // Whether or not the swap happened, the store holds what it says now.
  auto now = local_.applied_index();
  if (!now)
    stop_replica("the local store cannot be read after replacing it with a checkpoint ("
                 + (swapped ? now.error().message : swapped.error().message) + ")");
  applied_.store(*now);
  if (!swapped) {
    (void)remove_dir(incoming);
    return swapped.error();
  }
  catch_ups_.fetch_add(1);
  return swapped;
}

void store_machine::set_leader_lookup(std::function<raft::leader_hint()> lookup) {
  leader_lookup_ = std::move(lookup);
}

void store_machine::cancel_catch_up() {
  {
    std::lock_guard lock{wait_mtx_};
    cancelled_.store(true);
  }
  wake_.notify_all();
}

} // namespace sluice::storage
