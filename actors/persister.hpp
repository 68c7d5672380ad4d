#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

#include <caf/actor.hpp>

#include "actors/messages.hpp"
#include "storage/writer.hpp"

namespace sluice {

/// Lets an actor write durably without blocking: `submit` hands the batch to
/// the storage writer thread; when it is synced, the writer sends `write_done`
/// to the actor, whose handler calls `complete`, which runs the continuation
/// on the actor's own thread. Owned by one actor's state; not thread-safe.
class persister {
public:
  /// `error` is empty on success, else the storage failure text.
  using continuation = std::function<void(const std::string& error)>;

  persister() = default;
  explicit persister(storage::writer& w) : writer_(&w) {}

  /// Queues `b`; `then` runs once `self` receives the matching `write_done`.
  void submit(caf::actor self, storage::batch b, continuation then);

  /// Runs and forgets the continuation of `msg.ticket`.
  void complete(const write_done& msg);

  /// Writes not yet completed.
  size_t in_flight() const { return waiting_.size(); }

private:
  storage::writer* writer_ = nullptr;
  uint64_t next_ticket_ = 1;
  std::unordered_map<uint64_t, continuation> waiting_;
};

} // namespace sluice
