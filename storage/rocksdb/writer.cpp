#include "storage/rocksdb/writer.hpp"

#include "storage/codec.hpp"

namespace sluice::storage {

writer::writer(db& d, mode m) : db_(d), mode_(m) {
  status st;
  if (auto v = db_.get(family::meta, applied_index_key, st); v) {
    decoder in{*v};
    applied_ = in.u64();
  }
  if (mode_ == mode::threaded)
    thread_ = std::thread([this] { run(); });
}

writer::~writer() {
  stop();
}

void writer::submit(batch b, completion done) {
  if (mode_ == mode::inline_commit) {
    std::vector<pending> group;
    group.push_back({std::move(b), std::move(done)});
    commit(group);
    return;
  }
  if (mode_ == mode::collect) {
    std::lock_guard<std::mutex> guard{mtx_};
    queue_.push_back({std::move(b), std::move(done)});
    return;
  }
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!stopping_) {
      queue_.push_back({std::move(b), std::move(done)});
      if (queue_.size() == 1) // else the writer already knows there is work
        cv_.notify_one();
      return;
    }
  }
  done(status::error("storage writer is shutting down", store_errc::closed), 0);
}

void writer::stop() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (stopping_)
      return;
    stopping_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable())
    thread_.join();
}

uint64_t writer::commits() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return commits_;
}

status writer::commit_collected_at(uint64_t index, bool sync) {
  std::vector<pending> group;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    group.swap(queue_);
  }
  batch combined;
  for (auto& p : group)
    combined.append(std::move(p.b));
  combined.put(family::meta, std::string{applied_index_key}, encoder{}.u64(index).take());
  auto st = db_.write(combined, sync);
  if (st.ok())
    applied_ = index;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    ++commits_;
  }
  for (auto& p : group)
    p.done(st, st.ok() ? index : 0);
  return st;
}

void writer::run() {
  std::vector<pending> group;
  for (;;) {
    {
      std::unique_lock<std::mutex> guard{mtx_};
      cv_.wait(guard, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty())
        return; // stopping and drained
      group.swap(queue_);
    }
    commit(group);
    group.clear();
  }
}

void writer::commit(std::vector<pending>& group) {
  batch combined;
  for (auto& p : group)
    combined.append(std::move(p.b));
  auto first = applied_ + 1;
  combined.put(family::meta, std::string{applied_index_key},
               encoder{}.u64(applied_ + group.size()).take());
  auto st = db_.write(combined, true);
  if (st.ok())
    applied_ += group.size();
  {
    std::lock_guard<std::mutex> guard{mtx_};
    ++commits_;
  }
  for (size_t i = 0; i < group.size(); ++i)
    group[i].done(st, st.ok() ? first + i : 0);
}

} // namespace sluice::storage
