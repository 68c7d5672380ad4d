#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "http/auth_limiter.hpp"

// Failed authentications per client address (docs/auth.md, "Failed authentications"),
// on a clock the test moves.

using sluice::http::auth_limiter;
using namespace std::chrono_literals;

TEST_CASE("auth limiter: a burst of failures, then a wait that refills") {
  auth_limiter limits{{3, 2, 100}}; // burst 3, 2 a second
  auto t = auth_limiter::clock::now();
  CHECK(limits.blocked_for("10.0.0.1", t) == 0);
  for (int i = 0; i < 3; ++i)
    limits.failed("10.0.0.1", t);
  CHECK(limits.blocked_for("10.0.0.1", t) == 1); // one failure back takes half a second
  CHECK(limits.blocked_for("10.0.0.2", t) == 0); // other addresses are not affected
  CHECK(limits.blocked_for("10.0.0.1", t + 600ms) == 0);
  limits.failed("10.0.0.1", t + 600ms);
  CHECK(limits.blocked_for("10.0.0.1", t + 600ms) == 1);
  CHECK(limits.blocked_for("10.0.0.1", t + 10s) == 0); // full again: forgotten
}

TEST_CASE("auth limiter: at most max_addresses are remembered, the blocked ones kept") {
  auth_limiter limits{{2, 1, 4}};
  auto t = auth_limiter::clock::now();
  limits.failed("blocked", t);
  limits.failed("blocked", t); // empty bucket
  for (int i = 0; i < 10; ++i)
    limits.failed("spray-" + std::to_string(i), t);
  CHECK(limits.blocked_for("blocked", t) > 0); // survived every shrink
}
