#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "storage/replicated/checkpoint_source.hpp"

namespace sluice::storage {

/// The receiving side of checkpoint catch-up (docs/cluster.md): asks
/// `source` for a checkpoint holding at least `min_index`, and writes every
/// file of it into the directory `into` (deleted first if it exists, then
/// created), reading `chunk_size` bytes per call. Each file is checked
/// against its size in the manifest (a short or long read fails) and
/// fsynced; then `into` and its parent are fsynced, so a complete fetch
/// survives a crash. Fails with the source's error, a file-system error, a
/// manifest naming a file outside `into` or not new enough (`io_error`), or
/// `closed` once `cancel` is set (checked between chunks). A failure leaves
/// `into` partial: the caller deletes it (or the next fetch does). Blocks.
expected<checkpoint_manifest> fetch_checkpoint(checkpoint_source& source, uint64_t min_index,
                                               const std::string& into,
                                               size_t chunk_size = 1u << 20,
                                               const std::atomic<bool>* cancel = nullptr);

} // namespace sluice::storage
