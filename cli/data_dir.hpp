#pragma once

#include <string>

namespace sluice {

/// Makes `path` a private data directory before anything is written: every
/// file the server creates from now on is owner-only (umask 077, so RocksDB's
/// files are 0600), a missing directory is created 0700, and an existing one
/// that group or others can open is kept but warned about (it holds token
/// hashes, script secrets and the lease-signing secret; docs/operations.md).
/// Returns an error text, or empty.
std::string prepare_data_dir(const std::string& path);

} // namespace sluice
