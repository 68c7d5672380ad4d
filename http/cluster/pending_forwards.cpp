#include "http/cluster/pending_forwards.hpp"

namespace sluice::http {

uint64_t pending_forwards::add(responder reply) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto id = next_id_++;
  entries_.emplace(id, entry{std::move(reply), clock::now()});
  return id;
}

std::optional<responder> pending_forwards::take(uint64_t id) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = entries_.find(id);
  if (i == entries_.end())
    return std::nullopt;
  auto reply = std::move(i->second.reply);
  entries_.erase(i);
  return reply;
}

std::vector<responder> pending_forwards::take_all() {
  std::lock_guard<std::mutex> guard{mtx_};
  std::vector<responder> out;
  out.reserve(entries_.size());
  for (auto& [id, e] : entries_)
    out.push_back(std::move(e.reply));
  entries_.clear();
  return out;
}

size_t pending_forwards::forget_older_than(clock::time_point cutoff) {
  std::lock_guard<std::mutex> guard{mtx_};
  size_t n = 0;
  for (auto i = entries_.begin(); i != entries_.end();) {
    if (i->second.added < cutoff) {
      i = entries_.erase(i);
      ++n;
    } else {
      ++i;
    }
  }
  return n;
}

size_t pending_forwards::size() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return entries_.size();
}

} // namespace sluice::http
