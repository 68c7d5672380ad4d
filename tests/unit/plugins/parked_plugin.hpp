#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include <sluice/plugin.hpp>

#include "actors/plugins/host/plugin_host.hpp"

namespace sluice::test {

/// The invocations of the test-only asynchronous plugin "parked" that wait for the test to
/// complete them (one process-wide list; tests `clear()` it first). Thread-safe.
class parked_invocations {
public:
  /// Waits until at least `n` invocations are parked; false if `limit` passed first (a
  /// bound for a broken test, not a speed requirement).
  bool wait_for(std::size_t n, std::chrono::milliseconds limit = std::chrono::seconds(60)) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, limit, [&] { return waiting_.size() >= n; });
  }
  /// The oldest parked invocation, removed from the list; nullptr when none is.
  std::shared_ptr<AsyncInvocation> take() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (waiting_.empty())
      return nullptr;
    auto first = std::move(waiting_.front());
    waiting_.pop_front();
    return first;
  }
  std::size_t size() {
    std::lock_guard<std::mutex> lock(mutex_);
    return waiting_.size();
  }
  /// The most invocations parked at once since the last `clear()`.
  std::size_t peak() {
    std::lock_guard<std::mutex> lock(mutex_);
    return peak_;
  }
  /// Completes every parked invocation normally (acks what is undecided) and forgets them.
  void clear() {
    std::deque<std::shared_ptr<AsyncInvocation>> old;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      old.swap(waiting_);
      peak_ = 0;
    }
    for (auto& inv : old)
      inv->succeed();
  }
  void park(std::shared_ptr<AsyncInvocation> inv) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      waiting_.push_back(std::move(inv));
      peak_ = std::max(peak_, waiting_.size());
    }
    cv_.notify_all();
  }

private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<AsyncInvocation>> waiting_;
  std::size_t peak_ = 0;
};

/// The process-wide list of the "parked" plugin.
inline parked_invocations& parked() {
  static parked_invocations list;
  return list;
}

/// The test-only asynchronous plugin "parked": `env.MODE` "throw" throws from
/// `queue_async`, "drop" lets go of the invocation without completing it, "succeed"
/// completes it at once; otherwise (no MODE) it parks the invocation in `parked()`.
class parked_plugin {
public:
  void queue_async(std::shared_ptr<AsyncInvocation> inv) {
    const std::string mode = inv->env().get_or("MODE", "");
    if (mode == "throw")
      throw std::runtime_error("parked: refused to start");
    if (mode == "drop")
      return;
    if (mode == "succeed")
      return inv->succeed();
    parked().park(std::move(inv));
  }
};

/// The "parked" plugin as a built-in for `plugin_host_config::builtins`.
inline builtin_plugin parked_builtin() {
  return {&detail::entry<&detail::queue_blocking_with_async_class<parked_plugin>>,
          &detail::async_entry<&detail::queue_async_with_class<parked_plugin>>};
}

} // namespace sluice::test
