// sluice_raft_bench: commits through three in-process raft nodes (libraft 0.15
// over loopback TCP, every node fsyncing its own data dir) and prints msgs/s;
// see docs/benchmarks.md ("Cluster: the raft engine").
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "storage/raft/raft_node.hpp"

namespace sr = sluice::storage::raft;
using clock_type = std::chrono::steady_clock;

namespace {

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

/// Counts what it applies; keeps nothing (the bench measures the log).
class counting_machine : public sr::state_machine {
public:
  uint64_t applied_index() const override { return 0; }
  void apply(uint64_t, const std::vector<std::string_view>& commands) override {
    applied += commands.size();
  }
  std::string snapshot() override { return std::to_string(applied.load()); }
  bool restore(uint64_t, std::string_view) override { return true; }
  std::atomic<uint64_t> applied{0};
};

/// Bounds the commands submitted and not yet answered.
class window {
public:
  explicit window(size_t size) : free_(size) {}
  void acquire() {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return free_ > 0; });
    --free_;
  }
  void release() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++free_;
    }
    cv_.notify_one();
  }

private:
  std::mutex mutex_;
  std::condition_variable cv_;
  size_t free_;
};

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Commits 256-byte commands through three in-process raft nodes"};
  double seconds = 10;
  size_t command_bytes = 256;
  size_t per_entry = 100;
  unsigned in_flight = 32;
  size_t outstanding = 0;
  unsigned producers = 2;
  unsigned election_ms = 1000;
  std::string dir_arg;
  app.add_option("--seconds", seconds, "measured time (after 1 s of warm-up)");
  app.add_option("--command-bytes", command_bytes, "bytes per command");
  app.add_option("--per-entry", per_entry, "commands packed per raft entry, at most");
  app.add_option("--in-flight", in_flight, "raft entries submitted and not yet applied, at most");
  app.add_option("--outstanding", outstanding,
                 "commands submitted and not yet answered (default per-entry x in-flight x 2)");
  app.add_option("--producers", producers, "threads submitting commands");
  app.add_option("--election-timeout-ms", election_ms, "raft's election timeout (randomised 1-2x)");
  app.add_option("--dir", dir_arg, "where the nodes' data dirs go (default: a fresh /tmp dir)");
  CLI11_PARSE(app, argc, argv);
  if (outstanding == 0)
    outstanding = per_entry * in_flight * 2;

  std::string dir = dir_arg;
  if (dir.empty()) {
    std::string tmpl = "/tmp/sluice-raft-bench-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr)
      return 1;
    dir = tmpl;
  }
  std::vector<sr::member> members;
  for (uint64_t id = 1; id <= 3; ++id)
    members.push_back({id, "127.0.0.1:" + std::to_string(free_port()), sr::member_role::voter});
  counting_machine machines[3];
  const auto began = clock_type::now();
  // The node producers write to: the latest one to report that it leads.
  std::atomic<size_t> current{0};
  std::atomic<int> elections{0};
  std::atomic<bool> refused{false};
  std::vector<std::unique_ptr<sr::raft_node>> nodes;
  for (size_t i = 0; i < 3; ++i) {
    sr::node_config cfg;
    cfg.id = members[i].id;
    cfg.address = members[i].address;
    cfg.data_dir = dir + "/node" + std::to_string(i + 1);
    cfg.initial_members = members;
    cfg.max_commands_per_entry = per_entry;
    cfg.max_entries_in_flight = in_flight;
    cfg.election_timeout_ms = election_ms;
    // Elections during the run are worth knowing (an overloaded machine can
    // starve a raft thread past the election timeout): say so on stderr.
    auto node = sr::raft_node::start(cfg, machines[i], [&, i](const sr::node_status& st) {
      if (st.role == sr::node_role::leader) {
        current.store(i);
        ++elections;
      }
      double t = std::chrono::duration<double>(clock_type::now() - began).count();
      std::fprintf(stderr, "%6.2f s  node %zu: %s, leader %llu, term %llu\n", t, i + 1,
                   sr::to_string(st.role), static_cast<unsigned long long>(st.leader.id),
                   static_cast<unsigned long long>(st.term));
    });
    if (!node) {
      std::fprintf(stderr, "node %zu: %s\n", i + 1, node.error().message.c_str());
      return 1;
    }
    nodes.push_back(std::move(*node));
  }
  for (int tries = 0; tries < 1000 && elections == 0; ++tries)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (elections == 0) {
    std::fprintf(stderr, "no leader within 10 s\n");
    return 1;
  }

  window slots(outstanding);
  std::atomic<bool> running{true};
  std::atomic<bool> measuring{false};
  std::atomic<uint64_t> ok{0};
  std::atomic<uint64_t> failed{0};
  std::mutex latency_mutex;
  std::vector<uint32_t> latencies_us;
  latencies_us.reserve(4'000'000);
  const std::string command(command_bytes, 'x');
  std::vector<std::thread> threads;
  for (unsigned p = 0; p < producers; ++p)
    threads.emplace_back([&] {
      while (running) {
        if (refused.exchange(false)) // no leader right now: do not spin on refusals
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        slots.acquire();
        auto sent = clock_type::now();
        nodes[current.load()]->apply({command}, [&, sent](const sr::apply_outcome& o) {
          if (o.code != sr::raft_errc::ok)
            refused = true;
          if (measuring) {
            if (o.code == sr::raft_errc::ok)
              ++ok;
            else
              ++failed;
            auto us =
                std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - sent);
            std::lock_guard<std::mutex> lock(latency_mutex);
            if (latencies_us.size() < latencies_us.capacity())
              latencies_us.push_back(static_cast<uint32_t>(us.count()));
          }
          slots.release();
        });
      }
    });
  std::this_thread::sleep_for(std::chrono::seconds(1));
  auto* leader = nodes[current.load()].get();
  int elections_before = elections;
  auto before = leader->status();
  measuring = true;
  auto start = clock_type::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  measuring = false;
  double elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
  auto after = leader->status();
  int elections_during = elections - elections_before;
  running = false;
  for (auto& t : threads)
    t.join();
  for (auto& n : nodes)
    n->stop();

  std::sort(latencies_us.begin(), latencies_us.end());
  auto pct = [&](double q) {
    if (latencies_us.empty())
      return 0.0;
    return latencies_us[static_cast<size_t>(q * (latencies_us.size() - 1))] / 1000.0;
  };
  uint64_t entries = after.entries_submitted - before.entries_submitted;
  uint64_t commands = after.commands_submitted - before.commands_submitted;
  std::printf(
      "nodes  bytes  per-entry  in-flight    msgs/s  entries/s  cmds/entry  p50 ms  p99 ms  "
      "errors  elections\n");
  std::printf("    3  %5zu  %9zu  %9u  %8.0f  %9.0f  %10.1f  %6.2f  %6.2f  %6llu  %9d\n",
              command_bytes, per_entry, in_flight, ok / elapsed, entries / elapsed,
              entries ? double(commands) / entries : 0.0, pct(0.5), pct(0.99),
              static_cast<unsigned long long>(failed.load()), elections_during);
  if (dir_arg.empty())
    std::filesystem::remove_all(dir);
  return failed == 0 ? 0 : 1;
}
