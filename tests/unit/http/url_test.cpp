#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "http/url.hpp"

using sluice::http::split_host_port;

TEST_CASE("split_host_port: HOST:PORT, IPv6 in brackets, port 0 to listen anywhere") {
  std::string host;
  uint16_t port = 1;
  REQUIRE(split_host_port("127.0.0.1:7001", host, port));
  CHECK(host == "127.0.0.1");
  CHECK(port == 7001);
  REQUIRE(split_host_port("[::1]:8787", host, port));
  CHECK(host == "::1");
  CHECK(port == 8787);
  REQUIRE(split_host_port("node-a.internal:0", host, port));
  CHECK(host == "node-a.internal");
  CHECK(port == 0);
}

TEST_CASE("split_host_port: refuses a missing host or port and ports out of range") {
  std::string host;
  uint16_t port = 0;
  CHECK_FALSE(split_host_port("127.0.0.1", host, port));
  CHECK_FALSE(split_host_port("127.0.0.1:", host, port));
  CHECK_FALSE(split_host_port(":7001", host, port));
  CHECK_FALSE(split_host_port("127.0.0.1:65536", host, port));
  CHECK_FALSE(split_host_port("127.0.0.1:99999999999", host, port));
  CHECK_FALSE(split_host_port("127.0.0.1:80a", host, port));
  CHECK_FALSE(split_host_port("127.0.0.1:-1", host, port));
}
