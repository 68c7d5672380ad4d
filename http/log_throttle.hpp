#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace sluice::http {

/// Lets at most one log line per interval through for an event that can
/// repeat thousands of times a second (a failing accept, a refused
/// connection, a wrong token), and counts the events in between so the line
/// can say how many it stands for. Thread-safe, lock-free.
class log_throttle {
public:
  explicit log_throttle(std::chrono::steady_clock::duration interval) : interval_(interval) {}

  /// Records one event. Returns how many events the caller's line stands for
  /// (this one and those held back since the last line) when a line may be
  /// logged now, else 0.
  uint64_t pass() {
    ++held_;
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    auto next = next_.load();
    if (now < next || !next_.compare_exchange_strong(next, now + interval_.count()))
      return 0;
    auto held = held_.exchange(0);
    return held == 0 ? 1 : held;
  }

private:
  std::chrono::steady_clock::duration interval_;
  std::atomic<std::chrono::steady_clock::rep> next_{0};
  std::atomic<uint64_t> held_{0};
};

} // namespace sluice::http
