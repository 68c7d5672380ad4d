#include "storage/space_guard.hpp"

#include <cstdio>

#include <sys/statvfs.h>

namespace sluice::storage {

namespace {

constexpr auto reclaim_every = std::chrono::seconds(2);

} // namespace

std::string human_bytes(uint64_t bytes) {
  char buf[32];
  if (bytes < (1ull << 20))
    std::snprintf(buf, sizeof buf, "%llu KiB", static_cast<unsigned long long>(bytes >> 10));
  else if (bytes < (1ull << 30))
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  else
    std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / (1 << 30));
  return buf;
}

space_guard::space_guard(uint64_t min_free_bytes, probe read_free, change on_change,
                         reclaim make_room)
  : min_free_(min_free_bytes), read_free_(std::move(read_free)), on_change_(std::move(on_change)),
    make_room_(std::move(make_room)) {}

space_guard::~space_guard() {
  stop();
}

void space_guard::start(std::chrono::milliseconds interval) {
  thread_ = std::thread([this, interval] {
    std::unique_lock<std::mutex> lock{mutex_};
    while (!stopping_) {
      lock.unlock();
      check();
      lock.lock();
      wake_.wait_for(lock, interval, [this] { return stopping_; });
    }
  });
}

void space_guard::stop() {
  {
    std::lock_guard<std::mutex> lock{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void space_guard::check() {
  auto free = read_free_();
  if (!free)
    return; // keep the last state: an unreadable filesystem is not a full one
  free_ = *free;
  bool was_low = low_.load();
  bool now_low = was_low ? *free < min_free_ + min_free_ / 10 : *free < min_free_;
  low_ = now_low;
  bool changed = now_low != reported_low_;
  reported_low_ = now_low;
  if (on_change_)
    on_change_(now_low, *free, changed);
  if (now_low && make_room_) {
    auto now = std::chrono::steady_clock::now();
    if (now - last_reclaim_ >= reclaim_every) {
      last_reclaim_ = now;
      make_room_();
    }
  }
}

void space_guard::will_write(uint64_t bytes) {
  // Several shards count at once: subtract with a compare-and-swap so that
  // none of their bytes is lost, never going below zero.
  auto before = free_.load(std::memory_order_relaxed);
  uint64_t after = 0;
  do {
    after = before > bytes ? before - bytes : 0;
  } while (!free_.compare_exchange_weak(before, after, std::memory_order_relaxed));
  if (after < min_free_)
    low_.store(true, std::memory_order_relaxed);
}

std::string space_guard::refusal() const {
  return "the data directory's disk has " + human_bytes(free_bytes())
         + " free, less than --min-free-bytes (" + human_bytes(min_free_)
         + "): new messages are refused until space is freed. Ack or purge messages (their "
           "space is reclaimed), delete queues, or free space on the disk; sends resume by "
           "themselves";
}

space_guard::probe space_guard::filesystem_of(std::string dir) {
  return [dir = std::move(dir)]() -> std::optional<uint64_t> {
    struct statvfs s {};
    if (statvfs(dir.c_str(), &s) != 0)
      return std::nullopt;
    return static_cast<uint64_t>(s.f_bavail) * s.f_frsize;
  };
}

} // namespace sluice::storage
