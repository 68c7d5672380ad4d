#include "bench/load.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <unistd.h>

#include "http/json_writer.hpp"

namespace sluice::bench {

using clock_type = std::chrono::steady_clock;

double process_cpu_seconds(int pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string line;
  if (pid <= 0 || !std::getline(in, line) || line.rfind(')') == std::string::npos)
    return 0;
  // After "(comm)": state is field 3; utime and stime are fields 14 and 15.
  std::istringstream fields{line.substr(line.rfind(')') + 2)};
  std::string f;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i)
    if (i >= 14)
      ticks += std::stod(f);
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

http::response worker::send(const char* method, const std::string& path, const std::string& body) {
  auto t0 = clock_type::now();
  http::response r;
  try {
    r = client.send(method, path, body, headers);
  } catch (const std::exception&) {
    r.status = 0; // refused, reset or timed out: the client reconnects next time
  }
  measured.latency_ms.push_back(
      std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
  ++measured.requests;
  if (r.status < 200 || r.status > 299)
    ++measured.failures[r.status];
  return r;
}

stats run(const target& t, const std::string& name, int connections, double seconds,
          const step_fn& step) {
  return run(std::vector<target>{t}, name, connections, seconds, step);
}

stats run(const std::vector<target>& targets, const std::string& name, int connections,
          double seconds, const step_fn& step) {
  std::vector<stats> per_thread(static_cast<size_t>(connections));
  auto start = clock_type::now();
  std::chrono::duration<double> limit{seconds};
  std::vector<std::thread> threads;
  for (size_t i = 0; i < per_thread.size(); ++i)
    threads.emplace_back([&, i] {
      worker w{targets[i % targets.size()]};
      w.measured.latency_ms.reserve(1u << 16);
      while (clock_type::now() - start < limit) {
        long moved = step(w);
        if (moved == stop)
          break;
        w.measured.messages += static_cast<uint64_t>(moved);
      }
      per_thread[i] = std::move(w.measured); // once, after the hot loop
    });
  for (auto& th : threads)
    th.join();
  std::chrono::duration<double> elapsed = clock_type::now() - start;
  stats total{name, connections, elapsed.count(), 0, 0, {}, {}, {}};
  for (auto& s : per_thread) {
    total.requests += s.requests;
    total.messages += s.messages;
    for (auto& [status, n] : s.failures)
      total.failures[status] += n;
    total.latency_ms.insert(total.latency_ms.end(), s.latency_ms.begin(), s.latency_ms.end());
    total.lag_ms.insert(total.lag_ms.end(), s.lag_ms.begin(), s.lag_ms.end());
  }
  std::sort(total.latency_ms.begin(), total.latency_ms.end());
  std::sort(total.lag_ms.begin(), total.lag_ms.end());
  return total;
}

namespace {

/// Nearest-rank percentile of a sorted vector (0 when empty).
double pct(const std::vector<double>& sorted, double p) {
  if (sorted.empty())
    return 0;
  auto rank = static_cast<size_t>(p / 100 * static_cast<double>(sorted.size()));
  return sorted[std::min(rank, sorted.size() - 1)];
}

double rate(uint64_t n, double seconds) {
  return seconds > 0 ? static_cast<double>(n) / seconds : 0;
}

/// "429:3 conn:1": non-2xx answers by status (conn = connection errors).
std::string failures(const stats& s) {
  std::string out;
  for (auto& [status, n] : s.failures)
    out += (out.empty() ? "" : " ") + (status ? std::to_string(status) : std::string{"conn"}) + ":"
           + std::to_string(n);
  return out.empty() ? "0" : out;
}

std::string number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", x);
  return buf;
}

void percentiles(http::json_writer& w, const std::vector<double>& sorted) {
  w.begin_object();
  for (auto [name, p] : {std::pair{"p50", 50.0}, {"p99", 99.0}, {"p99_9", 99.9}})
    w.key(name).raw(number(pct(sorted, p)));
  w.end_object();
}

void to_json(http::json_writer& w, const stats& s) {
  w.begin_object().key("scenario").value(s.name).key("connections").value(s.connections);
  w.key("seconds").raw(number(s.seconds)).key("requests").value(s.requests);
  w.key("messages").value(s.messages);
  w.key("requests_per_s").raw(number(rate(s.requests, s.seconds)));
  w.key("messages_per_s").raw(number(rate(s.messages, s.seconds)));
  percentiles(w.key("latency_ms"), s.latency_ms);
  if (s.lag_ms.empty())
    w.key("lag_ms").null();
  else
    percentiles(w.key("lag_ms"), s.lag_ms);
  if (s.server_cpu_s >= 0 && s.messages > 0)
    w.key("server_cpu_us_per_message").raw(number(s.server_cpu_s * 1e6 / s.messages));
  w.key("errors").begin_object();
  for (auto& [status, n] : s.failures)
    w.key(status ? std::to_string(status) : std::string{"conn"}).value(n);
  w.end_object().end_object();
}

} // namespace

void print_row(const stats& s) {
  [[maybe_unused]] static bool header = [] { // once, before the first row
    std::printf("%-28s %5s %8s %9s %7s %7s %8s %7s %7s %10s  %s\n", "scenario", "conns", "req/s",
                "msgs/s", "p50 ms", "p99 ms", "p99.9 ms", "lag p50", "lag p99", "srv us/msg",
                "errors");
    return true;
  }();
  std::printf("%-28s %5d %8.0f %9.0f %7.2f %7.2f %8.2f", s.name.c_str(), s.connections,
              rate(s.requests, s.seconds), rate(s.messages, s.seconds), pct(s.latency_ms, 50),
              pct(s.latency_ms, 99), pct(s.latency_ms, 99.9));
  if (s.lag_ms.empty())
    std::printf(" %7s %7s", "-", "-");
  else
    std::printf(" %7.0f %7.0f", pct(s.lag_ms, 50), pct(s.lag_ms, 99));
  if (s.server_cpu_s >= 0 && s.messages > 0)
    std::printf(" %10.1f", s.server_cpu_s * 1e6 / static_cast<double>(s.messages));
  else
    std::printf(" %10s", "-");
  std::printf("  %s\n", failures(s).c_str());
  std::fflush(stdout);
}

void write_json(const std::string& path, const std::vector<stats>& rows) {
  http::json_writer w;
  w.begin_array();
  for (auto& row : rows)
    to_json(w, row);
  w.end_array();
  std::ofstream out{path};
  out << w.take() << "\n";
  if (!out)
    throw std::runtime_error("cannot write " + path);
}

} // namespace sluice::bench
