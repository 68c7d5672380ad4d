#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/result.hpp"

namespace sluice::storage {

/// The digest of one column family: how many keys it holds and the SHA-256 of
/// its keys and values in key order.
struct family_digest {
  std::string name;   ///< the column family's RocksDB name ("default", "meta", …)
  uint64_t keys = 0;  ///< live keys (deleted ones are not seen)
  std::string sha256; ///< lowercase hex, 64 characters
};

/// What `digest_store` read: the applied index and one hash over the whole
/// store, so that two replicas that applied the same raft entries print the
/// same line (`sluice cluster digest`, docs/cluster.md).
struct store_digest {
  /// The index stored beside the state (`applied/index` in `meta`): the last
  /// raft entry applied in cluster mode, a single node's write counter
  /// otherwise; 0 when the store has none.
  uint64_t applied_index = 0;
  /// SHA-256 (lowercase hex) over every column family, by name in byte order:
  /// the name, then each key and value in key order, each preceded by its
  /// length as 8 bytes big-endian. The applied index is part of it (`meta`).
  std::string sha256;
  std::vector<family_digest> families; ///< by name in byte order
};

/// Opens the RocksDB store in `dir` read-only (it must exist; nothing is
/// created, written or compacted, and a process holding it open is not
/// disturbed, though then its unsynced writes may be missing), reads every
/// column family it has and hashes it. Blocks on disk reads for as long as a
/// full scan takes: call it from a command-line tool or a test, never from an
/// actor. Fails with `io_error` naming `dir` when it cannot be opened or read,
/// `corrupt` when the applied index is not 8 bytes.
expected<store_digest> digest_store(const std::string& dir);

} // namespace sluice::storage
