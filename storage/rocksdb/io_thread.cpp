#include "storage/rocksdb/io_thread.hpp"

namespace sluice::storage {

io_thread::io_thread(mode m) : mode_(m) {
  if (mode_ == mode::threaded)
    thread_ = std::thread([this] { run(); });
}

io_thread::~io_thread() {
  stop();
}

bool io_thread::post(std::function<void()> job) {
  if (mode_ == mode::inline_run) {
    job();
    return true;
  }
  std::lock_guard<std::mutex> guard{mtx_};
  if (stopping_)
    return false;
  jobs_.push_back(std::move(job));
  cv_.notify_one();
  return true;
}

void io_thread::stop() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (stopping_ && !thread_.joinable())
      return;
    stopping_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable())
    thread_.join();
}

void io_thread::run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> guard{mtx_};
      cv_.wait(guard, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty())
        return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

} // namespace sluice::storage
