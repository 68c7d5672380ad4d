#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "http/client.hpp"

namespace sluice::bench {

/// Where and as whom the load goes.
struct target {
  std::string host = "127.0.0.1";
  uint16_t port = 8787;
  std::string token;
  std::string account = "bench";

  std::string queues() const { return "/client/v4/accounts/" + account + "/queues"; }
  std::vector<std::pair<std::string, std::string>> headers() const {
    return {{"authorization", "Bearer " + token}};
  }
};

/// What one scenario (or one thread of it) measured.
struct stats {
  std::string name;
  int connections = 0;
  double seconds = 0;
  uint64_t requests = 0;
  uint64_t messages = 0;            ///< messages sent, or pulled and acked
  std::map<int, uint64_t> failures; ///< non-2xx answers by status; 0 = connection error
  std::vector<double> latency_ms;   ///< one per HTTP request
  std::vector<double> lag_ms;       ///< now - timestamp_ms of each pulled message
  double server_cpu_s = -1;         ///< the server's CPU time meanwhile (-1: not measured)
};

/// User + system CPU seconds process `pid` has used so far (0 if unreadable).
double process_cpu_seconds(int pid);

/// One thread's connection and measurements. `post` times every request and
/// counts non-2xx answers; it never throws (a connection error is status 0).
struct worker {
  explicit worker(const target& t) : client(t.host, t.port), headers(t.headers()) {}
  http::response send(const char* method, const std::string& path, const std::string& body);
  http::response post(const std::string& path, const std::string& body) {
    return send("POST", path, body);
  }

  http::client client;
  std::vector<std::pair<std::string, std::string>> headers;
  stats measured;
  simdjson::dom::parser parser; ///< for steps that read answers
};

/// A step returns the messages it moved (0: none, keep going) or `stop` to end its worker.
inline constexpr long stop = -1;
using step_fn = std::function<long(worker&)>;

/// Runs `connections` threads, each with its own keep-alive connection, calling `step` until
/// `seconds` pass or every step returned `stop`. Threads measure into their own `stats`, merged
/// after the join (latency and lag vectors sorted): no lock on the hot path.
stats run(const target& t, const std::string& name, int connections, double seconds,
          const step_fn& step);

/// As above, thread `i` talking to `targets[i % targets.size()]` (the nodes of a
/// cluster, each connection to one node). `targets` must not be empty.
stats run(const std::vector<target>& targets, const std::string& name, int connections,
          double seconds, const step_fn& step);

/// One table row for `s` on stdout (the first call prints the header too).
void print_row(const stats& s);

/// Writes `rows` to `path` as a JSON array of objects; throws on failure.
void write_json(const std::string& path, const std::vector<stats>& rows);

} // namespace sluice::bench
