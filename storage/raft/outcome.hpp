#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace sluice::storage::raft {

/// Why the engine refused or failed a request. Stable: the cluster layer
/// maps `not_leader` and `leadership_lost` to 503 with `x-should-retry`.
enum class raft_errc : uint8_t {
  ok = 0,
  not_leader,      ///< this node is not the leader; nothing was written (see `leader_hint`)
  leadership_lost, ///< the entry was in the log when leadership was lost: its
                   ///< outcome is unknown, it may still commit under the new leader
  shutting_down,   ///< the node is stopping; nothing was written
  busy,            ///< a membership change is already in progress; retry later
  invalid,         ///< bad argument: unknown or duplicate member id, address, role
  io_error,        ///< the raft library refused the request for another reason
};

/// A short name of `code` ("not_leader", …) for logs.
const char* to_string(raft_errc code);

/// Who this node believes leads the group; `id == 0` when it does not know.
struct leader_hint {
  uint64_t id = 0;
  std::string address;
};

/// The answer to one `raft_node::apply` submission.
struct apply_outcome {
  raft_errc code = raft_errc::ok;
  /// The log index of the entry that carried the submission (when `ok`);
  /// submissions packed into one entry share it.
  uint64_t index = 0;
  /// Set with `not_leader` (and whenever known): where to send the write.
  leader_hint leader;
  /// For people: what happened (empty when `ok`).
  std::string message;
};

/// The answer to a membership change or leadership transfer.
struct change_outcome {
  raft_errc code = raft_errc::ok;
  leader_hint leader;
  std::string message;
};

/// Called once per submission, on the raft thread (or, when the node has
/// already stopped, on the caller's thread). Must be short and must not block
/// or call `raft_node::stop()`; it may submit more work.
using apply_callback = std::function<void(const apply_outcome&)>;

/// Called once per change request, on the same terms as `apply_callback`.
using change_callback = std::function<void(const change_outcome&)>;

} // namespace sluice::storage::raft
