#pragma once

#include <string>

#include "storage/rocksdb/status.hpp"

namespace sluice::storage {

/// Replacing a store's data directory with another complete store (a
/// checkpoint fetched from a peer, docs/cluster.md "Catching up from a
/// checkpoint") so that a crash at any point leaves either the old or the
/// new complete store under the directory's name. Plain file-system work,
/// no RocksDB: the caller closes the instance around `swap_store_dirs`.
///
/// Three names per store directory `S`: `S` itself, `S.incoming` (the
/// replacement, assembled and synced before the swap) and `S.old` (the
/// replaced store, until it is deleted). The swap is two renames, each
/// followed by an fsync of the parent directory: `S` → `S.old`, then
/// `S.incoming` → `S`. So `S.old` exists beside `S` only after the second
/// rename (`S` is then the new store), and without `S` only between the
/// two (`S.old` is then the old, complete store).

/// `S.incoming` for the store directory `store_dir` (trailing slashes
/// ignored).
std::string incoming_dir_of(const std::string& store_dir);

/// `S.old` for the store directory `store_dir`.
std::string old_dir_of(const std::string& store_dir);

/// Makes a crash-interrupted swap whole, before the store is opened:
/// `S.old` beside `S` is deleted (the new store is in place); `S.old`
/// without `S` is renamed back to `S` (the old store), and `S.incoming`,
/// if any, is deleted (it is fetched again). A leftover `S.incoming` beside
/// `S` (a fetch cut short) is deleted too. Nothing to do: ok. Blocks.
status finish_store_swap(const std::string& store_dir);

/// Renames `S` to `S.old` and `S.incoming` to `S`, fsyncing the parent
/// after each. `S.incoming` must hold a complete, synced store, `S` must be
/// closed and `S.old` must not exist. If the second rename fails, `S.old`
/// goes back to `S`. Leaves `S.old` for `remove_old_store`. Blocks.
status swap_store_dirs(const std::string& store_dir);

/// Deletes `S.old` (if any) and fsyncs the parent. Blocks.
status remove_old_store(const std::string& store_dir);

/// Deletes `dir` with everything in it, if it exists. Blocks.
status remove_dir(const std::string& dir);

/// fsyncs the file or directory `path` (a directory: the names in it).
status sync_path(const std::string& path);

} // namespace sluice::storage
