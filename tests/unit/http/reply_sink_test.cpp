#include <catch2/catch.hpp>

#include <optional>
#include <stdexcept>
#include <string>

#include <caf/all.hpp>

#include "actor_fixture.hpp"
#include "actors/errc.hpp"
#include "http/ask.hpp"
#include "http/reply_sink.hpp"

namespace sluice::http {
namespace {

using test::actor_fixture;

/// Answers an int with it plus `step`, "fail" with an error, and ends on "stop".
/// (It takes an argument: CAF 0.17.6 dereferences a null shared_ptr<tuple<>>
/// for argument-less spawns, which UBSan reports.)
caf::behavior counter(caf::event_based_actor* self, int step) {
  return {
      [step](int x) { return x + step; },
      [self](const std::string& what) -> caf::result<int> {
        if (what == "stop")
          self->quit();
        return make_error(errc::invalid_request, "asked to fail");
      },
  };
}

TEST_CASE("a reply sink hands each reply to its request's callback, then forgets it",
          "[reply_sink]") {
  actor_fixture f;
  reply_sink sink{f.sys()};
  auto dest = f.sys().spawn(counter, 1);
  f.run();
  std::optional<caf::expected<int>> a, b;
  ask<int>(sink, dest, 41, [&](caf::expected<int> r) { a = std::move(r); });
  ask<int>(sink, dest, 1, [&](caf::expected<int> r) { b = std::move(r); });
  CHECK(sink.pending() == 2);
  CHECK_FALSE(a); // nothing runs before the actor does
  f.run();
  REQUIRE(a);
  REQUIRE(b);
  CHECK(**a == 42);
  CHECK(**b == 2);
  CHECK(sink.pending() == 0);
  caf::anon_send_exit(dest, caf::exit_reason::user_shutdown);
  f.run();
}

TEST_CASE("a reply sink passes on an actor's error and the bounce of a receiver that is gone",
          "[reply_sink]") {
  actor_fixture f;
  reply_sink sink{f.sys()};
  auto dest = f.sys().spawn(counter, 1);
  f.run();
  std::optional<caf::expected<int>> failed, bounced;
  ask<int>(sink, dest, std::string{"fail"}, [&](caf::expected<int> r) { failed = std::move(r); });
  f.run();
  REQUIRE(failed);
  REQUIRE_FALSE(*failed);
  CHECK(failed->error() == make_error(errc::invalid_request, "asked to fail"));
  caf::anon_send_exit(dest, caf::exit_reason::user_shutdown);
  f.run();
  ask<int>(sink, dest, 1, [&](caf::expected<int> r) { bounced = std::move(r); });
  f.run();
  REQUIRE(bounced);
  REQUIRE_FALSE(*bounced);
  CHECK(bounced->error() == caf::sec::request_receiver_down);
  CHECK(sink.pending() == 0);
}

TEST_CASE("a reply sink answers a missing receiver at once and reports a reply of the wrong type",
          "[reply_sink]") {
  actor_fixture f;
  reply_sink sink{f.sys()};
  std::optional<caf::expected<int>> none;
  ask<int>(sink, caf::actor{}, 1, [&](caf::expected<int> r) { none = std::move(r); });
  REQUIRE(none);
  REQUIRE_FALSE(*none);
  CHECK(none->error() == make_error(errc::unavailable, "this node is changing leadership; retry"));
  auto dest = f.sys().spawn(counter, 1);
  f.run();
  std::optional<caf::expected<std::string>> wrong;
  ask<std::string>(sink, dest, 1, [&](caf::expected<std::string> r) { wrong = std::move(r); });
  f.run();
  REQUIRE(wrong);
  REQUIRE_FALSE(*wrong);
  CHECK(wrong->error() == caf::sec::unexpected_response);
  caf::anon_send_exit(dest, caf::exit_reason::user_shutdown);
  f.run();
}

TEST_CASE("a callback that throws leaves the replying actor running", "[reply_sink]") {
  actor_fixture f;
  reply_sink sink{f.sys()};
  auto dest = f.sys().spawn(counter, 1);
  f.run();
  ask<int>(sink, dest, 1, [](caf::expected<int>) { throw std::runtime_error{"render failed"}; });
  f.run();
  std::optional<caf::expected<int>> next;
  ask<int>(sink, dest, 2, [&](caf::expected<int> r) { next = std::move(r); });
  f.run();
  REQUIRE(next);
  CHECK(**next == 3);
  caf::anon_send_exit(dest, caf::exit_reason::user_shutdown);
  f.run();
}

TEST_CASE("a reply that comes after its sink ended is dropped", "[reply_sink]") {
  actor_fixture f;
  auto dest = f.sys().spawn(counter, 1);
  f.run();
  bool called = false;
  {
    reply_sink sink{f.sys()};
    ask<int>(sink, dest, 1, [&](caf::expected<int>) { called = true; });
    CHECK(sink.pending() == 1);
  }
  f.run(); // the actor replies to a companion without a handler
  CHECK_FALSE(called);
  std::optional<caf::expected<int>> still;
  reply_sink again{f.sys()};
  ask<int>(again, dest, 5, [&](caf::expected<int> r) { still = std::move(r); });
  f.run();
  REQUIRE(still);
  CHECK(**still == 6);
  caf::anon_send_exit(dest, caf::exit_reason::user_shutdown);
  f.run();
}

} // namespace
} // namespace sluice::http
