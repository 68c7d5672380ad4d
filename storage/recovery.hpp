#pragma once

#include <vector>

#include "storage/db.hpp"
#include "storage/records.hpp"
#include "storage/status.hpp"

namespace sluice::storage {

/// Everything in the `meta` family, as read at start-up.
struct meta_snapshot {
  std::vector<queue_record> queues;
  std::vector<token_record> tokens;
};

/// Reads every queue and token record. Blocks on disk I/O: call before the
/// actor system serves (start-up), never from an actor. A record that cannot
/// be decoded fails the load, naming its key, rather than being skipped.
status load_meta(db& d, meta_snapshot& out);

} // namespace sluice::storage
