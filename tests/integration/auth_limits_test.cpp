// Guessing tokens is slow (docs/auth.md, "Failed authentications"): after a
// burst of 401s from one address every request from it that needs a token
// gets 429 with Retry-After until its bucket refills; failures are counted and
// logged at most once per interval. A short SLUICE_BOOTSTRAP_TOKEN is refused
// on a non-loopback listener.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "api.hpp"
#include "tests/metrics_text.hpp"

using namespace sluice::test;

TEST_CASE("failed authentications from one address are limited after a burst") {
  server_process srv;
  api guesser{srv, "acct-a", "not-a-token"};
  // A burst of 20 failures, plus what refills (2 a second) while they run.
  int unauthenticated = 0;
  std::unique_ptr<reply> limited;
  for (int i = 0; i < 60 && !limited; ++i) {
    auto r = guesser.call("GET", "/queues");
    if (r->status == 401)
      ++unauthenticated;
    else
      limited = std::move(r);
  }
  CHECK(unauthenticated >= 20);
  REQUIRE(limited);
  CHECK(limited->status == 429);
  CHECK(limited->error_message().find("too many failed authentications from 127.0.0.1")
        != std::string::npos);
  // A valid token from the same address waits too: that is what makes guessing slow.
  auto client = srv.client();
  auto raw = client->send("GET", "/client/v4/accounts/acct-a/queues", {},
                          {{"authorization", "Bearer " + srv.token()}});
  CHECK(raw.status == 429);
  auto retry_after = header(raw, "retry-after");
  REQUIRE(!retry_after.empty());
  CHECK(std::stoi(retry_after) >= 1);
  CHECK(header(raw, "x-should-retry") == "true");

  // Health and metrics need no token and are not limited.
  api anyone{srv, "acct-a", "-"};
  auto m = anyone.call("GET", "//metrics");
  REQUIRE(m->status == 200);
  CHECK(sample(m->body, "sluice_auth_failures_total", {{"outcome", "rejected"}})
        == unauthenticated);
  CHECK(sample(m->body, "sluice_auth_failures_total", {{"outcome", "limited"}}) >= 2);
  auto log = srv.log();
  auto first = log.find("refused for a missing or unknown API token");
  REQUIRE(first != std::string::npos);
  CHECK(log.find("refused for a missing or unknown API token", first + 1) == std::string::npos);

  // The bucket refills (2 failures a second): after the wait the token works.
  std::this_thread::sleep_for(std::chrono::seconds(std::stoi(retry_after)));
  CHECK(api(srv).call("GET", "/queues")->status == 200);
}

TEST_CASE("a short SLUICE_BOOTSTRAP_TOKEN is refused on a non-loopback address") {
  server_process srv; // loopback with a short token: accepted, with a warning
  CHECK(srv.log().find("accepted only because 127.0.0.1 is a loopback address")
        != std::string::npos);
  auto refused = run_serve_expecting_exit(
      {"serve", "--listen", "0.0.0.0:0", "--data-dir", srv.data_dir() + "/other"}, "short-secret");
  CHECK(refused.status == 2);
  CHECK(refused.output.find("SLUICE_BOOTSTRAP_TOKEN has 12 characters; use at least 32")
        != std::string::npos);
}
