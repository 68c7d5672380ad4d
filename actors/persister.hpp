#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <caf/actor.hpp>
#include <caf/error.hpp>

#include "actors/messages.hpp"
#include "metrics/registry.hpp"
#include "storage/result.hpp"

namespace sluice {

/// Lets an actor write through a store without blocking: `then` returns the
/// store callback for one command; when the store reports (on its own
/// thread), the callback sends `write_done` to the actor, whose handler calls
/// `complete`, which runs the continuation on the actor's own thread.
/// A failure is logged once and counted (`sluice_storage_errors_total{op}`)
/// here, then handed to the continuation as the error to reply with.
/// Owned by one actor's state; not thread-safe.
class persister {
public:
  /// `err` is empty on success, else the error to answer with (made by
  /// `storage_error`: `storage_failure` or `storage_full`).
  using continuation = std::function<void(const caf::error& err)>;

  persister() = default;
  /// `metrics` may be null (no counting).
  explicit persister(metrics::registry* metrics) : metrics_(metrics) {}

  /// The callback to pass with one store command named `op` (a metric
  /// label, e.g. "append"); `k` runs once `self` receives its `write_done`.
  /// `what` completes the error's message ("could not store the messages").
  storage::write_callback then(caf::actor self, std::string_view op, std::string what,
                               continuation k);

  /// Runs and forgets the continuation of `msg.ticket`.
  void complete(const write_done& msg);

  /// Writes not yet completed.
  size_t in_flight() const { return waiting_.size(); }

private:
  struct waiting {
    std::string op;
    std::string what;
    continuation k;
  };

  metrics::registry* metrics_ = nullptr;
  uint64_t next_ticket_ = 1;
  std::unordered_map<uint64_t, waiting> waiting_;
};

/// Logs and counts a failed store operation that nobody waits for (a read,
/// or a write whose only reader is the log).
void report_storage_error(metrics::registry* metrics, std::string_view op,
                          const std::string& message);

} // namespace sluice
