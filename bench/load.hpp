#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "http/client.hpp"

namespace sluice::bench {

/// Where and as whom the load goes.
struct target {
  std::string host = "127.0.0.1";
  uint16_t port = 8787;
  std::string token;
  std::string account = "bench";
};

/// What one scenario measured.
struct result {
  std::string name;
  double seconds = 0;
  uint64_t requests = 0;
  uint64_t messages = 0;
  uint64_t errors = 0;
  uint64_t throttled = 0;           ///< 429 answers
  std::vector<double> latencies_ms; ///< one per request
  std::vector<double> lag_ms;       ///< send → consume, consumers only
};

/// A step's answer for "nothing to do right now, keep going".
inline constexpr int idle = -2;

/// One worker's step: does one request with `c` and returns how many messages
/// it moved (0 ends the worker), `idle`, or -1 on an error status.
using step_fn = std::function<int(http::client& c, result& local)>;

/// Runs `threads` workers, each with its own keep-alive connection, calling
/// `step` until `seconds` pass (or a step returns 0). Latencies are collected
/// per thread and merged at the end, so the hot path takes no lock.
result run(const target& t, const std::string& name, int threads, double seconds, step_fn step);

/// Prints one table row: req/s, msgs/s, p50/p99/p99.9 latency, lag, errors.
void print(const result& r);

/// The authorization header for `t`.
std::vector<std::pair<std::string, std::string>> auth(const target& t);

} // namespace sluice::bench
