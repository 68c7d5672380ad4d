#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace sluice::storage {

/// A thread that runs blocking storage reads (paging messages in) off the
/// actor scheduler, in submission order. Jobs report back by sending actor
/// messages. Thread-safe.
class io_thread {
public:
  enum class mode {
    /// Jobs run on the background thread (production).
    threaded,
    /// `post` runs the job on the caller's thread (deterministic unit tests).
    inline_run,
  };

  explicit io_thread(mode m = mode::threaded);
  /// Runs what is queued, then joins.
  ~io_thread();
  io_thread(const io_thread&) = delete;
  io_thread& operator=(const io_thread&) = delete;

  /// Queues `job`; false (and `job` dropped) if the thread already stopped.
  bool post(std::function<void()> job);

  /// Runs what is queued and joins. Idempotent.
  void stop();

private:
  void run();

  std::mutex mtx_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  mode mode_;
  std::thread thread_;
};

} // namespace sluice::storage
