#include "cli/disk_space.hpp"

#include <chrono>

#include <spdlog/spdlog.h>

namespace sluice::cli {

std::shared_ptr<storage::reserve_file> reserve_to_start(const std::string& data_dir,
                                                        uint64_t min_free_bytes) {
  auto reserve = std::make_shared<storage::reserve_file>(data_dir + "/reserve", min_free_bytes / 4);
  auto free = storage::space_guard::filesystem_of(data_dir)();
  if (free && *free < reserve->bytes() && reserve->release())
    spdlog::warn("the disk of {} is full ({} free): released the reserve file ({}) so that the "
                 "server can start",
                 data_dir, storage::human_bytes(*free), storage::human_bytes(reserve->bytes()));
  return reserve;
}

namespace {

/// Keeps the reserve file as the free space allows (see watch_disk_space).
void tend_reserve(storage::reserve_file& reserve, const std::string& data_dir, bool low,
                  uint64_t free, uint64_t min_free_bytes) {
  if (free < reserve.bytes()) {
    if (reserve.release())
      spdlog::warn("the disk of {} has {} free: released the reserve file ({}) so that acks, "
                   "purges and flushes find room",
                   data_dir, storage::human_bytes(free), storage::human_bytes(reserve.bytes()));
    return;
  }
  if (!low && free >= min_free_bytes + 2 * reserve.bytes() && !reserve.present()
      && reserve.restore())
    spdlog::info("made the reserve file {} ({}): it is released when the disk fills, so that "
                 "acks and purges find room",
                 reserve.path(), storage::human_bytes(reserve.bytes()));
}

} // namespace

std::unique_ptr<storage::space_guard>
watch_disk_space(const std::string& data_dir, uint64_t min_free_bytes,
                 std::shared_ptr<storage::reserve_file> reserve, storage::rocksdb_backend& stores,
                 metrics::registry& metrics) {
  auto on_change = [data_dir, min_free_bytes, reserve, &metrics](bool low, uint64_t free,
                                                                 bool changed) {
    tend_reserve(*reserve, data_dir, low, free, min_free_bytes);
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
