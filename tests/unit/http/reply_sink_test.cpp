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

/// Answers an int with it plus `step`, and a string with an error. (It takes
/// an argument: CAF 0.17.6 dereferences a null shared_ptr<tuple<>> for
/// argument-less spawns, which UBSan reports.)
caf::behavior counter(caf::event_based_actor*, int step) {
  return {
      [step](int x) { return x + step; },
      [](const std::string&) -> caf::result<int> {
        return make_error(errc::invalid_request, "asked to fail");
      },
  };
}

/// A reply sink and a running `counter` on the deterministic scheduler; the
/// counter ends with the fixture. (Its own `ask` is the fixture's spawning
/// one: the tests call `http::ask`, the one under test.)
struct sink_fixture : actor_fixture {
  reply_sink sink{sys()};
  caf::actor dest = sys().spawn(counter, 1);

  sink_fixture() { run(); }
  ~sink_fixture() override {
    caf::anon_send_exit(dest, caf::exit_reason::user_shutdown);
    run();
  }
};

/// An `ask` callback that stores the reply in `out`.
template <class R>
auto into(std::optional<caf::expected<R>>& out) {
  return [&out](caf::expected<R> r) { out = std::move(r); };
}

TEST_CASE_METHOD(sink_fixture,
                 "a reply sink hands each reply to its request's callback, then forgets it",
                 "[reply_sink]") {
  std::optional<caf::expected<int>> a, b;
  http::ask<int>(sink, dest, 41, into(a));
  http::ask<int>(sink, dest, 1, into(b));
  CHECK(sink.pending() == 2);
  CHECK_FALSE(a); // nothing runs before the actor does
  run();
  REQUIRE(a);
  REQUIRE(b);
  CHECK(**a == 42);
  CHECK(**b == 2);
  CHECK(sink.pending() == 0);
}

TEST_CASE_METHOD(
    sink_fixture,
    "a reply sink passes on an actor's error and the bounce of a receiver that is gone",
    "[reply_sink]") {
  std::optional<caf::expected<int>> failed, bounced;
  http::ask<int>(sink, dest, std::string{"fail"}, into(failed));
  run();
  REQUIRE(failed);
  REQUIRE_FALSE(*failed);
  CHECK(failed->error() == make_error(errc::invalid_request, "asked to fail"));
  caf::anon_send_exit(dest, caf::exit_reason::user_shutdown);
  run();
  http::ask<int>(sink, dest, 1, into(bounced));
  run();
  REQUIRE(bounced);
  REQUIRE_FALSE(*bounced);
  CHECK(bounced->error() == caf::sec::request_receiver_down);
  CHECK(sink.pending() == 0);
}

TEST_CASE_METHOD(sink_fixture,
                 "a reply sink answers a missing receiver at once and reports a reply of the "
                 "wrong type",
                 "[reply_sink]") {
  std::optional<caf::expected<int>> none;
  http::ask<int>(sink, caf::actor{}, 1, into(none));
  REQUIRE(none);
  REQUIRE_FALSE(*none);
  CHECK(none->error() == make_error(errc::unavailable, "this node is changing leadership; retry"));
  std::optional<caf::expected<std::string>> wrong;
  http::ask<std::string>(sink, dest, 1, into(wrong));
  run();
  REQUIRE(wrong);
  REQUIRE_FALSE(*wrong);
  CHECK(wrong->error() == caf::sec::unexpected_response);
}

TEST_CASE_METHOD(sink_fixture, "a callback that throws leaves the replying actor running",
                 "[reply_sink]") {
  http::ask<int>(sink, dest, 1,
                 [](caf::expected<int>) { throw std::runtime_error{"render failed"}; });
  run();
  std::optional<caf::expected<int>> next;
  http::ask<int>(sink, dest, 2, into(next));
  run();
  REQUIRE(next);
  CHECK(**next == 3);
}

TEST_CASE_METHOD(sink_fixture, "a reply that comes after its sink ended is dropped",
                 "[reply_sink]") {
  bool called = false;
  {
    reply_sink gone{sys()};
    http::ask<int>(gone, dest, 1, [&](caf::expected<int>) { called = true; });
    CHECK(gone.pending() == 1);
  }
  run(); // the actor replies to a companion without a handler
  CHECK_FALSE(called);
  std::optional<caf::expected<int>> still;
  http::ask<int>(sink, dest, 5, into(still));
  run();
  REQUIRE(still);
  CHECK(**still == 6);
}

} // namespace
} // namespace sluice::http
