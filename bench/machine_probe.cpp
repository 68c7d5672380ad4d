// sluice_machine_probe: what this machine charges for the two things every durable
// send pays, measured without Sluice (docs/benchmarks.md, "What bounds the numbers"):
//   - a small write followed by fdatasync, appending to a file (its size changes, so
//     the file system also commits metadata; RocksDB's write-ahead log and Redis's AOF
//     both grow this way) and overwriting one written before (no metadata), with the
//     tail of the single syncs (a send waits for the sync in progress, then its own);
//   - handing work to a sleeping thread and back (mutex + condition variable), the
//     cost of each thread crossing on the send path.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

namespace {

using clock_type = std::chrono::steady_clock;

double micros_since(clock_type::time_point t0, int n) {
  return std::chrono::duration<double, std::micro>(clock_type::now() - t0).count() / n;
}

/// µs of write(record) + fdatasync, over `n` records: the mean and the tail.
struct sync_times {
  double mean = 0, p50 = 0, p99 = 0, p999 = 0, max = 0;
};

/// `overwrite`: into a file already written and synced to its full length.
sync_times write_and_sync(const std::string& path, int n, size_t record, bool overwrite) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0)
    throw std::runtime_error("cannot create " + path);
  std::vector<char> buf(record, 'x');
  if (overwrite) {
    std::vector<char> zeros(1 << 16, 0);
    for (size_t done = 0; done < record * n; done += zeros.size())
      if (::write(fd, zeros.data(), zeros.size()) < 0)
        throw std::runtime_error("write failed");
    ::fsync(fd);
    ::lseek(fd, 0, SEEK_SET);
  }
  std::vector<double> each;
  each.reserve(n);
  for (int i = 0; i < n; ++i) {
    auto t = clock_type::now();
    if (::write(fd, buf.data(), buf.size()) < 0 || ::fdatasync(fd) != 0)
      throw std::runtime_error("write or fdatasync failed");
    each.push_back(micros_since(t, 1));
  }
  sync_times out;
  out.mean = std::accumulate(each.begin(), each.end(), 0.0) / n;
  ::close(fd);
  std::filesystem::remove(path);
  std::sort(each.begin(), each.end());
  auto at = [&](double q) { return each[std::min(each.size() - 1, size_t(q * each.size()))]; };
  out.p50 = at(0.5);
  out.p99 = at(0.99);
  out.p999 = at(0.999);
  out.max = each.back();
  return out;
}

void print_sync(const char* what, size_t record, const sync_times& t) {
  std::printf(
      "write %zu B + fdatasync, %-12s %7.1f us (p50 %.0f, p99 %.0f, p99.9 %.0f, max %.0f)\n",
      record, what, t.mean, t.p50, t.p99, t.p999, t.max);
}

/// Mean µs of one hand-off between two threads that sleep between turns.
double hand_off(int n) {
  std::mutex m;
  std::condition_variable cv;
  int turn = 0;
  std::thread other{[&] {
    for (int i = 0; i < n; ++i) {
      std::unique_lock lock{m};
      cv.wait(lock, [&] { return turn == 1; });
      turn = 0;
      cv.notify_all();
    }
  }};
  auto t0 = clock_type::now();
  for (int i = 0; i < n; ++i) {
    std::unique_lock lock{m};
    turn = 1;
    cv.notify_all();
    cv.wait(lock, [&] { return turn == 0; });
  }
  auto us = micros_since(t0, 2 * n);
  other.join();
  return us;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"sluice_machine_probe: fdatasync latency and thread hand-off cost here"};
  std::string dir = ".";
  int n = 3000;
  size_t record = 400;
  app.add_option("--dir", dir, "Directory on the disk to probe (a data dir's file system)");
  app.add_option("--count", n, "Records (and hand-offs) per measurement")
      ->check(CLI::Range(10, 1000000));
  app.add_option("--record-bytes", record, "Bytes per write")->check(CLI::Range(1, 1 << 20));
  CLI11_PARSE(app, argc, argv);
  auto path = (std::filesystem::path{dir} / "sluice-machine-probe.tmp").string();
  try {
    print_sync("appending:", record, write_and_sync(path, n, record, false));
    print_sync("overwriting:", record, write_and_sync(path, n, record, true));
    std::printf("thread hand-off (mutex + condvar):   %7.1f us\n", hand_off(n * 5));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
