#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "storage/raft/outcome.hpp"
#include "storage/result.hpp"

namespace sluice::storage {

/// One file of a checkpoint: a plain name (no directory part) and its size.
struct checkpoint_file {
  std::string name;
  uint64_t size = 0;
};

/// What a node must fetch to hold a peer's store (docs/cluster.md,
/// "Catching up from a checkpoint"): the checkpoint's id (opaque, valid on
/// the node that made it until it deletes the checkpoint), an applied index
/// the checkpoint holds at least (its own `applied/index` is exact), and
/// every file with its size. The files together are a complete RocksDB
/// store directory.
struct checkpoint_manifest {
  std::string id;
  uint64_t applied_index = 0;
  std::vector<checkpoint_file> files;
};

/// Where a node that is too far behind gets a peer's store from. The
/// leader's side is `local_checkpoint_source` over its own store; the
/// inter-node transport implements this interface on the follower's side by
/// forwarding each call to the leader's `local_checkpoint_source`.
///
/// The store machine calls it on the raft thread, blocking (the node cannot
/// apply anything until it holds the state anyway); implementations must be
/// thread-safe and must not be called from a CAF scheduler thread. Errors:
/// any `store_error` (e.g. `io_error` for an unreachable peer, `closed`);
/// the catch-up then fails, leaves the local store as it was, and is tried
/// again later.
class checkpoint_source {
public:
  virtual ~checkpoint_source() = default;

  /// A checkpoint holding at least index `min_index` (a fresh one, or a
  /// recent one that is new enough). Fails (e.g. `io_error`) when the
  /// source has not applied `min_index` yet or cannot make a checkpoint.
  virtual expected<checkpoint_manifest> prepare(uint64_t min_index) = 0;

  /// Up to `max` bytes of `file` of checkpoint `checkpoint` from byte
  /// `offset`; shorter only at the end of the file (empty at or past it).
  /// Fails when the checkpoint is gone (deleted as superseded or expired:
  /// prepare again) or `file` is not one of its files.
  virtual expected<std::string> read_chunk(const std::string& checkpoint, const std::string& file,
                                           uint64_t offset, size_t max) = 0;
};

/// Gives the checkpoint source to catch up from, given whom this node
/// believes leads (`id == 0`: nobody known, e.g. while the node starts;
/// the factory may then ask any peer). Null: no source (the catch-up
/// fails). Called on the raft thread, once per attempt.
using checkpoint_source_factory =
    std::function<std::unique_ptr<checkpoint_source>(const raft::leader_hint& leader)>;

} // namespace sluice::storage
