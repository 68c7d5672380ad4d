#include "cluster_process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wait.hpp"

namespace sluice::test {

namespace {

/// Binds a TCP socket on 127.0.0.1:`port` (0: any); its port, or 0.
uint16_t bind_port(uint16_t port, int& fd) {
  fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
    return 0;
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

} // namespace

uint16_t free_port_pair() {
  for (int attempt = 0; attempt < 100; ++attempt) {
    int a = -1;
    int b = -1;
    auto p = bind_port(0, a);
    bool ok = p != 0 && p < 65534 && bind_port(static_cast<uint16_t>(p + 1), b) != 0;
    ::close(a);
    if (b >= 0)
      ::close(b);
    if (ok)
      return p;
  }
  FAIL("no two consecutive free ports on 127.0.0.1");
  return 0;
}

cluster_processes::cluster_processes(size_t nodes, const std::vector<std::string>& extra) {
  std::string members;
  for (size_t i = 0; i < nodes; ++i) {
    raft_.push_back("127.0.0.1:" + std::to_string(free_port_pair()));
    members += (i == 0 ? "" : ",") + std::to_string(i + 1) + "=" + raft_[i];
  }
  for (size_t i = 0; i < nodes; ++i) {
    std::vector<std::string> args{"--node-id", std::to_string(i + 1), "--raft-listen",
                                  raft_[i],    "--initial-members",   members};
    args.insert(args.end(), extra.begin(), extra.end());
    nodes_.push_back(std::make_unique<server_process>("integration-token", std::move(args)));
    up_.push_back(true);
  }
}

std::unique_ptr<reply> cluster_processes::status(size_t i) {
  if (!up_[i])
    return std::make_unique<reply>();
  return api(*nodes_[i]).call("GET", "//client/v4/cluster");
}

size_t cluster_processes::serving_leader(int seconds) {
  size_t leader = size();
  bool found = eventually(
      [&] {
        leader = size();
        for (size_t i = 0; i < size(); ++i) {
          if (!up_[i])
            continue;
          auto s = status(i);
          if (s->status == 200 && s->result()["serving"].get_bool().value())
            leader = i;
        }
        if (leader == size())
          return false;
        for (size_t i = 0; i < size(); ++i) {
          if (!up_[i] || i == leader)
            continue;
          auto s = status(i);
          if (s->status != 200)
            return false;
          auto l = s->result()["leader"];
          if (l.is_null() || l["id"].get_uint64().value() != leader + 1)
            return false;
        }
        return true;
      },
      seconds);
  REQUIRE(found);
  return leader;
}

void cluster_processes::await_converged(int seconds) {
  auto leader = serving_leader(seconds);
  REQUIRE(eventually(
      [&] {
        auto l = status(leader);
        if (l->status != 200)
          return false;
        auto commit = l->result()["commit_index"].get_uint64().value();
        for (size_t i = 0; i < size(); ++i) {
          if (!up_[i])
            continue;
          auto s = status(i);
          if (s->status != 200 || s->result()["applied_index"].get_uint64().value() < commit)
            return false;
        }
        return true;
      },
      seconds));
}

void cluster_processes::kill9(size_t i) {
  nodes_[i]->kill9();
  up_[i] = false;
}

int cluster_processes::terminate(size_t i) {
  up_[i] = false;
  return nodes_[i]->terminate();
}

void cluster_processes::restart(size_t i) {
  nodes_[i]->restart();
  up_[i] = true;
}

} // namespace sluice::test
