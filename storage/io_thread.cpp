#include "storage/io_thread.hpp"

namespace sluice::storage {

io_thread::io_thread(mode m) : mode_(m) {
  if (mode_ == mode::threaded)
    thread_ = std::thread([this] { run(); });
}

io_thread::~io_thread() {
  stop();
}

void io_thread::post(std::function<void()> job) {
  if (mode_ == mode::inline_run) {
    job();
    return;
  }
  std::lock_guard<std::mutex> guard{mtx_};
  if (stopping_)
    return;
  jobs_.push_back(std::move(job));
  cv_.notify_one();
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
