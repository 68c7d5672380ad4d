// Connections and descriptors are bounded (docs/operations.md, "Connections"):
// connections over --max-connections are closed at once, a connection that
// sends no request is closed after --header-timeout, and running out of
// descriptors makes accept back off (no spinning, one log line a second)
// until descriptors free up again.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "api.hpp"
#include "tests/metrics_text.hpp"
#include "wait.hpp"

using namespace sluice::test;

namespace {

/// A raw TCP connection to the server that sends nothing.
class idle_connection {
public:
  explicit idle_connection(uint16_t port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  }
  ~idle_connection() { close(fd_); }
  idle_connection(const idle_connection&) = delete;
  idle_connection& operator=(const idle_connection&) = delete;

  /// Sends `bytes` as they are.
  void send_all(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      REQUIRE(n > 0);
      sent += static_cast<size_t>(n);
    }
  }

  /// What the server answers, up to `ms` (until it closes or goes quiet).
  std::string read_answer(int ms) {
    std::string out;
    char buf[4096];
    pollfd p{fd_, POLLIN, 0};
    while (poll(&p, 1, ms) > 0) {
      auto n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0)
        break;
      out.append(buf, static_cast<size_t>(n));
      ms = 200; // the rest of the answer follows at once
    }
    return out;
  }

  /// True once the server closed the connection (a read sees end of file or
  /// a reset), waiting at most `ms`.
  bool closed_by_server(int ms) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0)
      return false;
    char c;
    return recv(fd_, &c, 1, 0) <= 0;
  }

private:
  int fd_;
};

/// CPU seconds (user + system) process `pid` has used.
double cpu_seconds(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto fields = text.substr(text.rfind(')') + 2);
  std::istringstream s{fields};
  std::string skip;
  for (int i = 3; i < 14; ++i) // fields 3..13 precede utime (14) and stime (15)
    s >> skip;
  double utime = 0, stime = 0;
  s >> utime >> stime;
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

} // namespace

TEST_CASE("connections over --max-connections close at once, silent ones after the header "
          "time-out") {
  server_process srv{"integration-token", {"--max-connections", "4", "--header-timeout", "1"}};
  std::vector<std::unique_ptr<idle_connection>> held;
  for (int i = 0; i < 4; ++i)
    held.push_back(std::make_unique<idle_connection>(srv.port()));
  std::this_thread::sleep_for(std::chrono::milliseconds(200)); // all four accepted
  idle_connection fifth{srv.port()};
  CHECK(fifth.closed_by_server(900)); // at once, well before the header time-out
  // The four that never sent a request are closed after about a second.
  for (auto& c : held)
    CHECK(c->closed_by_server(3000));
  held.clear();

  api a{srv};
  auto m = a.call("GET", "//metrics");
  REQUIRE(m->status == 200);
  CHECK(sample(m->body, "sluice_http_connections_refused_total", {{"reason", "limit"}}) >= 1);
  CHECK(sample(m->body, "sluice_http_connections") >= 1);
  CHECK(srv.log().find("the limit of --max-connections") != std::string::npos);
}

TEST_CASE("out of descriptors, accept backs off and logs once a second, then serves again") {
  server_process srv{"integration-token", {"--max-connections", "100000"}};
  // Lower the running server's descriptor limit to a little above what it
  // holds now (data files, sockets, pipes), so that accepts fail with EMFILE.
  size_t open_now = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(srv.pid()) + "/fd");
       it != std::filesystem::directory_iterator(); ++it)
    ++open_now;
  rlimit low{open_now + 8, open_now + 8};
  REQUIRE(prlimit(srv.pid(), RLIMIT_NOFILE, &low, nullptr) == 0);

  std::vector<std::unique_ptr<idle_connection>> flood;
  for (int i = 0; i < 50; ++i)
    flood.push_back(std::make_unique<idle_connection>(srv.port()));
  REQUIRE(eventually(
      [&] { return srv.log().find("accepting a connection failed") != std::string::npos; }, 10));
  auto cpu_before = cpu_seconds(srv.pid());
  std::this_thread::sleep_for(std::chrono::seconds(3));
  auto cpu_used = cpu_seconds(srv.pid()) - cpu_before;
  CHECK(cpu_used < 0.5); // a spinning accept burns a whole core
  // Logged at most once a second (the first line, then one per second).
  CHECK(count_of(srv.log(), "accepting a connection failed") <= 5);

  flood.clear(); // the server's sessions see end of file and give their descriptors back
  api a{srv};
  auto r = a.call("GET", "//healthz");
  CHECK(r->status == 200);
}

TEST_CASE("request bodies past --max-inflight-bytes get 429 before they are read") {
  server_process srv{"integration-token", {"--max-inflight-bytes", "100000"}};
  auto post = [&](size_t length) {
    return "POST /client/v4/accounts/acct-a/queues HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
           + srv.token() + "\r\nContent-Type: application/json\r\nContent-Length: "
           + std::to_string(length) + "\r\n\r\n";
  };
  // One request holds 150,000 bytes (admitted alone, past the bound) while its body
  // is still arriving.
  idle_connection big{srv.port()};
  big.send_all(post(150000) + std::string(1000, ' '));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  idle_connection small{srv.port()};
  std::string body = R"({"queue_name":"shed"})";
  small.send_all(post(body.size()) + body);
  auto shed = small.read_answer(5000);
  CHECK(shed.rfind("HTTP/1.1 429", 0) == 0);
  CHECK(shed.find("retry-after: 1") != std::string::npos);
  CHECK(shed.find("x-should-retry: true") != std::string::npos);
  CHECK(shed.find("--max-inflight-bytes 100000") != std::string::npos);

  big.send_all(std::string(149000, ' ')); // the rest: whitespace, not a JSON object
  CHECK(big.read_answer(5000).rfind("HTTP/1.1 400", 0) == 0);
  api a{srv};
  CHECK(a.call("POST", "/queues", body)->status == 200); // the bound is free again
}

TEST_CASE("one queue's sends past --max-queue-inflight-bytes get 429, other queues go on") {
  server_process srv{"integration-token", {"--max-queue-inflight-bytes", "100000"}};
  api a{srv};
  auto busy = a.create_queue("busy");
  auto calm = a.create_queue("calm");
  auto batch_post = [&](const std::string& qid, size_t length) {
    return "POST /client/v4/accounts/acct-a/queues/" + qid
           + "/messages/batch HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + srv.token()
           + "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(length)
           + "\r\n\r\n";
  };
  idle_connection big{srv.port()};
  big.send_all(batch_post(busy, 150000) + std::string(1000, ' '));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  std::string body = R"({"messages":[{"body":"hi"}]})";
  idle_connection same{srv.port()};
  same.send_all(batch_post(busy, body.size()) + body);
  auto shed = same.read_answer(5000);
  CHECK(shed.rfind("HTTP/1.1 429", 0) == 0);
  CHECK(shed.find("--max-queue-inflight-bytes 100000") != std::string::npos);
  CHECK(a.call("POST", "/queues/" + calm + "/messages/batch", body)->status == 200);

  big.send_all(std::string(149000, ' '));
  CHECK(big.read_answer(5000).rfind("HTTP/1.1 400", 0) == 0);
  CHECK(a.call("POST", "/queues/" + busy + "/messages/batch", body)->status == 200);
}
