#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "metrics/registry.hpp"
#include "storage/reserve_file.hpp"
#include "storage/rocksdb/rocksdb_backend.hpp"
#include "storage/space_guard.hpp"

namespace sluice::cli {

/// The reserve file of `data_dir` (a quarter of `min_free_bytes`), released
/// at once if the disk is too full for RocksDB to open: call before opening
/// the stores.
std::shared_ptr<storage::reserve_file> reserve_to_start(const std::string& data_dir,
                                                        uint64_t min_free_bytes);

/// The space guard of `serve` (docs/operations.md, "A full disk"): reads the free
/// space of `data_dir`'s filesystem now and then every half second, logs each change
/// of state, keeps `sluice_storage_free_bytes` and `sluice_storage_full` current, and
/// while low flushes `stores` so that acked and purged messages free their space.
/// It releases `reserve` when less than its size is free (so that acks, purges
/// and flushes still find room) and makes it again once there is room for it
/// above the minimum. Destroy it before `stores` and `metrics`.
std::unique_ptr<storage::space_guard>
watch_disk_space(const std::string& data_dir, uint64_t min_free_bytes,
                 std::shared_ptr<storage::reserve_file> reserve, storage::rocksdb_backend& stores,
                 metrics::registry& metrics);

} // namespace sluice::cli
