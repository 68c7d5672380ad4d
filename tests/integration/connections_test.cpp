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
