#include "cli/disk_space.hpp"

#include <chrono>

#include <spdlog/spdlog.h>

namespace sluice::cli {

std::unique_ptr<storage::space_guard> watch_disk_space(const std::string& data_dir,
                                                       uint64_t min_free_bytes,
                                                       storage::rocksdb_backend& stores,
                                                       metrics::registry& metrics) {
  auto on_change = [data_dir, min_free_bytes, &metrics](bool low, uint64_t free, bool changed) {
    metrics.storage_space(free, low);
    if (!changed)
      return;
    if (low)
      spdlog::warn("the disk of {} has {} free, less than --min-free-bytes ({}): new messages "
                   "are refused (507) until acks, purges or deletes free space",
                   data_dir, storage::human_bytes(free), storage::human_bytes(min_free_bytes));
    else
      spdlog::info("the disk of {} has {} free again: new messages are accepted", data_dir,
                   storage::human_bytes(free));
  };
  auto reclaim = [&stores] {
    if (auto err = stores.reclaim_space(); !err.empty())
      spdlog::warn("{}", err);
  };
  auto guard = std::make_unique<storage::space_guard>(
      min_free_bytes, storage::space_guard::filesystem_of(data_dir), on_change, reclaim);
  guard->check(); // the state at start, before anything is served
  guard->start(std::chrono::milliseconds(500));
  return guard;
}

} // namespace sluice::cli
