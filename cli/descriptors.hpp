#pragma once

#include <cstdint>

namespace sluice::cli {

/// Raises the process's soft descriptor limit (RLIMIT_NOFILE) to its hard
/// limit, as a server that holds one descriptor per connection should, and
/// returns the limit now in force.
uint64_t raise_descriptor_limit();

/// The default of `--max-connections` for a descriptor limit of `nofile`:
/// what is left after a reserve for RocksDB's files, plugins, sinks and
/// outbound webhook connections (half the limit, at most 512), and at
/// least 16.
unsigned default_max_connections(uint64_t nofile);

} // namespace sluice::cli
