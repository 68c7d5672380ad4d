#include "http/auth_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace sluice::http {

bool auth_limiter::refill(bucket& b, clock::time_point now) const {
  std::chrono::duration<double> elapsed = now - b.at;
  b.failures_left =
      std::min(opts_.burst, b.failures_left + std::max(0.0, elapsed.count()) * opts_.per_second);
  b.at = now;
  return b.failures_left >= opts_.burst;
}

unsigned auth_limiter::blocked_for(const std::string& address, clock::time_point now) {
  if (remembered_.load(std::memory_order_relaxed) == 0)
    return 0;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = buckets_.find(address);
  if (it == buckets_.end())
    return 0;
  if (refill(it->second, now)) {
    buckets_.erase(it);
    remembered_ = buckets_.size();
    return 0;
  }
  if (it->second.failures_left >= 1)
    return 0;
  return static_cast<unsigned>(std::ceil((1 - it->second.failures_left) / opts_.per_second));
}

void auth_limiter::failed(const std::string& address, clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (buckets_.size() >= opts_.max_addresses && buckets_.find(address) == buckets_.end())
    shrink(now);
  auto [it, fresh] = buckets_.try_emplace(address, bucket{opts_.burst, now});
  if (!fresh)
    refill(it->second, now);
  it->second.failures_left = std::max(0.0, it->second.failures_left - 1);
  remembered_ = buckets_.size();
}

void auth_limiter::shrink(clock::time_point now) {
  std::vector<std::pair<double, std::string>> by_left;
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    if (refill(it->second, now)) {
      it = buckets_.erase(it);
    } else {
      by_left.emplace_back(it->second.failures_left, it->first);
      ++it;
    }
  }
  if (buckets_.size() < opts_.max_addresses)
    return;
  // Still full: forget the half with the most failures left (the least
  // suspicious), keep those that are blocked.
  auto half = by_left.begin() + static_cast<std::ptrdiff_t>(by_left.size() / 2);
  std::nth_element(by_left.begin(), half, by_left.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (auto it = by_left.begin(); it != half; ++it)
    buckets_.erase(it->second);
}

} // namespace sluice::http
