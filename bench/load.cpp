#include "bench/load.hpp"

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <thread>

namespace sluice::bench {

std::vector<std::pair<std::string, std::string>> auth(const target& t) {
  return {{"authorization", "Bearer " + t.token}, {"content-type", "application/json"}};
}

result run(const target& t, const std::string& name, int threads, double seconds, step_fn step) {
  result total;
  total.name = name;
  std::mutex mtx;
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> workers;
  for (int i = 0; i < threads; ++i)
    workers.emplace_back([&] {
      http::client c{t.host, t.port};
      result local;
      while (std::chrono::steady_clock::now() < deadline) {
        auto t0 = std::chrono::steady_clock::now();
        int moved = 0;
        try {
          moved = step(c, local);
        } catch (const std::exception&) {
          moved = -1;
        }
        std::chrono::duration<double, std::milli> dt = std::chrono::steady_clock::now() - t0;
        local.latencies_ms.push_back(dt.count());
        ++local.requests;
        if (moved == idle)
          continue;
        if (moved < 0)
          ++local.errors;
        else if (moved == 0)
          break;
        else
          local.messages += static_cast<uint64_t>(moved);
      }
      std::lock_guard<std::mutex> guard{mtx};
      total.requests += local.requests;
      total.messages += local.messages;
      total.errors += local.errors;
      total.throttled += local.throttled;
      total.latencies_ms.insert(total.latencies_ms.end(), local.latencies_ms.begin(),
                                local.latencies_ms.end());
      total.lag_ms.insert(total.lag_ms.end(), local.lag_ms.begin(), local.lag_ms.end());
    });
  for (auto& w : workers)
    w.join();
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  total.seconds = elapsed.count();
  return total;
}

namespace {

double percentile(std::vector<double>& v, double p) {
  if (v.empty())
    return 0;
  auto k = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

} // namespace

void print(const result& r) {
  auto lat = r.latencies_ms;
  auto lag = r.lag_ms;
  std::printf("%-28s %9.0f req/s %10.0f msgs/s   p50 %7.2f  p99 %7.2f  p99.9 %7.2f ms",
              r.name.c_str(), static_cast<double>(r.requests) / r.seconds,
              static_cast<double>(r.messages) / r.seconds, percentile(lat, 0.5),
              percentile(lat, 0.99), percentile(lat, 0.999));
  if (!lag.empty())
    std::printf("   lag p50 %7.1f p99 %7.1f ms", percentile(lag, 0.5), percentile(lag, 0.99));
  std::printf("   errors %llu (429: %llu)\n", static_cast<unsigned long long>(r.errors),
              static_cast<unsigned long long>(r.throttled));
  std::fflush(stdout);
}

} // namespace sluice::bench
