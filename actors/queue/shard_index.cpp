#include "actors/queue/shard_index.hpp"

#include <algorithm>
#include <limits>

namespace sluice {

namespace {

/// Erases the (key, seq) pair from a multimap index.
void erase_pair(std::multimap<int64_t, uint64_t>& m, int64_t key, uint64_t seq) {
  auto [lo, hi] = m.equal_range(key);
  for (auto i = lo; i != hi; ++i)
    if (i->second == seq) {
      m.erase(i);
      return;
    }
}

} // namespace

entry_extras& shard_entry::extra() {
  if (!extras)
    extras = std::make_unique<entry_extras>();
  return *extras;
}

const std::string& shard_entry::last_error() const {
  static const std::string none;
  return extras ? extras->last_error : none;
}

void shard_index::add(shard_entry e, int64_t now) {
  auto seq = e.seq;
  bytes_ += e.body.size();
  bool ready_now = e.visible_at_ms <= now;
  auto visible = e.visible_at_ms;
  by_time_.emplace(e.timestamp_ms, seq);
  entries_[seq] = std::move(e);
  if (ready_now)
    ready_.insert(seq);
  else
    delayed_.emplace(visible, seq);
}

std::vector<uint64_t> shard_index::lease(size_t n, int64_t deadline) {
  std::vector<uint64_t> out;
  while (out.size() < n && !ready_.empty()) {
    auto seq = *ready_.begin();
    ready_.erase(ready_.begin());
    auto& e = entries_.at(seq);
    e.leased = true;
    e.attempts += 1;
    e.lease_gen += 1;
    e.lease_deadline_ms = deadline;
    leases_.emplace(deadline, seq);
    ++leased_count_;
    out.push_back(seq);
  }
  return out;
}

shard_entry* shard_index::find(uint64_t seq) {
  auto i = entries_.find(seq);
  return i == entries_.end() ? nullptr : &i->second;
}

void shard_index::unlink(const shard_entry& e) {
  if (e.leased) {
    erase_pair(leases_, e.lease_deadline_ms, e.seq);
    --leased_count_;
  } else if (ready_.erase(e.seq) == 0) {
    erase_pair(delayed_, e.visible_at_ms, e.seq);
  }
}

bool shard_index::remove(uint64_t seq) {
  auto i = entries_.find(seq);
  if (i == entries_.end())
    return false;
  unlink(i->second);
  by_time_.erase({i->second.timestamp_ms, seq});
  bytes_ -= i->second.body.size();
  entries_.erase(i);
  return true;
}

std::optional<shard_entry> shard_index::take(uint64_t seq) {
  auto i = entries_.find(seq);
  if (i == entries_.end())
    return std::nullopt;
  unlink(i->second);
  by_time_.erase({i->second.timestamp_ms, seq});
  bytes_ -= i->second.body.size();
  auto e = std::move(i->second);
  entries_.erase(i);
  return e;
}

void shard_index::restore(shard_entry e, int64_t now) {
  if (!e.leased) {
    add(std::move(e), now);
    return;
  }
  auto seq = e.seq;
  bytes_ += e.body.size();
  by_time_.emplace(e.timestamp_ms, seq);
  leases_.emplace(e.lease_deadline_ms, seq);
  ++leased_count_;
  entries_[seq] = std::move(e);
}

bool shard_index::release(uint64_t seq, int64_t visible_at, int64_t now) {
  auto* e = find(seq);
  if (e == nullptr)
    return false;
  unlink(*e);
  e->leased = false;
  e->visible_at_ms = visible_at;
  if (visible_at <= now)
    ready_.insert(seq);
  else
    delayed_.emplace(visible_at, seq);
  return true;
}

std::vector<uint64_t> shard_index::advance(int64_t now) {
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    ready_.insert(delayed_.begin()->second);
    delayed_.erase(delayed_.begin());
  }
  std::vector<uint64_t> expired;
  for (auto i = leases_.begin(); i != leases_.end() && i->first <= now; ++i)
    expired.push_back(i->second);
  return expired;
}

std::vector<uint64_t> shard_index::older_than(int64_t cutoff_ms) const {
  std::vector<uint64_t> out;
  for (auto i = by_time_.begin(); i != by_time_.end() && i->first < cutoff_ms; ++i)
    if (!entries_.at(i->second).leased)
      out.push_back(i->second);
  return out;
}

int64_t shard_index::next_deadline() const {
  auto t = std::numeric_limits<int64_t>::max();
  if (!delayed_.empty())
    t = std::min(t, delayed_.begin()->first);
  if (!leases_.empty())
    t = std::min(t, leases_.begin()->first);
  return t;
}

int64_t shard_index::oldest_timestamp() const {
  return by_time_.empty() ? 0 : by_time_.begin()->first;
}

std::vector<uint64_t> shard_index::first(size_t n) const {
  std::vector<uint64_t> out;
  for (auto i = entries_.begin(); i != entries_.end() && out.size() < n; ++i)
    out.push_back(i->first);
  return out;
}

std::vector<uint64_t> shard_index::all() const {
  std::vector<uint64_t> out;
  out.reserve(entries_.size());
  for (const auto& [seq, e] : entries_)
    out.push_back(seq);
  return out;
}

} // namespace sluice
