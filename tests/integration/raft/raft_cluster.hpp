#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "raft_test_machine.hpp"
#include "storage/raft/raft_node.hpp"
#include "temp_dir.hpp"

namespace sluice::test {

using namespace std::chrono_literals;
namespace sr = storage::raft;

/// A loopback port nobody listens on right now (the kernel's pick).
inline uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("cannot bind a loopback port");
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

/// Polls `done` every 10 ms until it holds or `limit` passes.
inline bool eventually(const std::function<bool()>& done,
                       std::chrono::milliseconds limit = 10000ms) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done())
      return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

/// Applies `commands` on `node` and waits for the outcome (at most 10 s).
inline sr::apply_outcome apply_and_wait(sr::raft_node& node, std::vector<std::string> commands) {
  auto promise = std::make_shared<std::promise<sr::apply_outcome>>();
  auto result = promise->get_future();
  node.apply(std::move(commands), [promise](const sr::apply_outcome& o) { promise->set_value(o); });
  if (result.wait_for(10s) != std::future_status::ready)
    throw std::runtime_error("apply did not complete within 10 s");
  return result.get();
}

/// Runs a change request on `node` and waits for the outcome.
template <class Start>
sr::change_outcome change_and_wait(Start start) {
  auto promise = std::make_shared<std::promise<sr::change_outcome>>();
  auto result = promise->get_future();
  start([promise](const sr::change_outcome& o) { promise->set_value(o); });
  if (result.wait_for(30s) != std::future_status::ready)
    throw std::runtime_error("change did not complete within 30 s");
  return result.get();
}

/// Three (or more) raft nodes in this process on loopback ports, each with
/// its own temp data dir and a `recording_machine` (persistent when asked).
struct raft_cluster {
  struct member_slot {
    std::unique_ptr<temp_dir> dir;
    sr::node_config config;
    std::unique_ptr<recording_machine> machine;
    std::unique_ptr<sr::raft_node> node;
  };

  explicit raft_cluster(size_t n = 3, bool persistent = false,
                        std::function<void(sr::node_config&)> tune = {})
    : persistent_(persistent) {
    std::vector<sr::member> members;
    for (size_t i = 0; i < n; ++i)
      members.push_back(
          {i + 1, "127.0.0.1:" + std::to_string(free_port()), sr::member_role::voter});
    for (size_t i = 0; i < n; ++i) {
      member_slot s;
      s.dir = std::make_unique<temp_dir>();
      s.config.id = members[i].id;
      s.config.address = members[i].address;
      s.config.data_dir = s.dir->path() + "/raft";
      s.config.initial_members = members;
      if (tune)
        tune(s.config);
      slots.push_back(std::move(s));
    }
    for (size_t i = 0; i < n; ++i)
      start(i);
  }

  ~raft_cluster() {
    for (auto& s : slots)
      if (s.node)
        s.node->stop();
  }

  /// Starts node `i` from its data dir, with a fresh machine (reloaded from
  /// its file when persistent).
  void start(size_t i) {
    auto& s = slots[i];
    s.machine = std::make_unique<recording_machine>(persistent_ ? s.dir->path() + "/machine" : "");
    auto node = sr::raft_node::start(s.config, *s.machine);
    if (!node)
      throw std::runtime_error("raft node start: " + node.error().message);
    s.node = std::move(*node);
  }

  void stop(size_t i) {
    slots[i].node->stop();
    slots[i].node.reset();
  }

  sr::raft_node& node(size_t i) { return *slots[i].node; }
  recording_machine& machine(size_t i) { return *slots[i].machine; }

  /// The slot of the node that leads, once every running node agrees on it
  /// (waits up to `limit`); -1 if none.
  int leader(std::chrono::milliseconds limit = 10000ms) {
    int found = -1;
    eventually(
        [&] {
          found = -1;
          uint64_t agreed = 0;
          for (size_t i = 0; i < slots.size(); ++i) {
            if (!slots[i].node)
              continue;
            auto st = slots[i].node->status();
            if (st.leader.id == 0 || (agreed != 0 && st.leader.id != agreed))
              return false;
            agreed = st.leader.id;
            if (st.role == sr::node_role::leader)
              found = static_cast<int>(i);
          }
          return found >= 0 && slots[found].config.id == agreed;
        },
        limit);
    return found;
  }

  std::vector<member_slot> slots;

private:
  bool persistent_;
};

} // namespace sluice::test
