#pragma once

#include <cstddef>

#include "metrics/registry.hpp"
#include "storage/backend.hpp"
#include "storage/space_guard.hpp"

namespace sluice {

/// The storage services actors use, owned by the process (they outlive the
/// actor system). Actors never touch a disk themselves: they send commands
/// to the stores of `stores`, which answer through callbacks.
struct storage_env {
  storage::backend* stores = nullptr;
  /// Messages a storage shard holds in memory; the rest stay on disk and are
  /// paged in as the window drains (docs/architecture.md, bounded memory).
  size_t window = 10000;
  /// Where failed store operations are counted (null: not counted).
  metrics::registry* metrics = nullptr;
  /// Refuses appends while the disk is nearly full (null: never refuses).
  storage::space_guard* space = nullptr;
};

} // namespace sluice
