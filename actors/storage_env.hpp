#pragma once

#include <cstddef>

#include "storage/db.hpp"
#include "storage/io_thread.hpp"
#include "storage/writer.hpp"

namespace sluice {

/// The storage services actors use, owned by the process (they outlive the
/// actor system). Actors never call `db` themselves: they write through
/// `writer` and read through jobs posted to `reader`.
struct storage_env {
  storage::writer* writer = nullptr;
  storage::db* db = nullptr;
  storage::io_thread* reader = nullptr;
  /// Messages a storage shard holds in memory; the rest stay on disk and are
  /// paged in as the window drains (DESIGN.md: bounded windows).
  size_t window = 10000;
};

} // namespace sluice
