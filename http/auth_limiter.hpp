#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sluice::http {

/// Limits failed authentications per client address, so that guessing
/// tokens is slow (docs/auth.md): each address has a bucket of `burst`
/// failures that refills at `per_second`; once it is empty the address gets
/// 429 for every request that needs a token, valid or not, until the bucket
/// holds one failure again. Addresses whose bucket is full again are
/// forgotten, and at most `max_addresses` are remembered (then the fullest
/// half goes), so memory stays bounded under a spray of addresses. Checking
/// costs one atomic load while no address has failed recently. Thread-safe.
class auth_limiter {
public:
  using clock = std::chrono::steady_clock;

  struct options {
    double burst = 20;
    double per_second = 2;
    size_t max_addresses = 100'000;
  };

  explicit auth_limiter(options opts) : opts_(opts) {}
  auth_limiter() : auth_limiter(options{}) {}

  /// Whole seconds until `address` may try again; 0: it may try now.
  unsigned blocked_for(const std::string& address, clock::time_point now = clock::now());

  /// Records one failed authentication from `address`.
  void failed(const std::string& address, clock::time_point now = clock::now());

private:
  struct bucket {
    double failures_left;
    clock::time_point at;
  };
  /// Refills `b` up to `now`; true if it is full (the address is forgotten).
  bool refill(bucket& b, clock::time_point now) const;
  void shrink(clock::time_point now);

  options opts_;
  std::mutex mutex_;
  std::unordered_map<std::string, bucket> buckets_;
  std::atomic<size_t> remembered_{0};
};

} // namespace sluice::http
