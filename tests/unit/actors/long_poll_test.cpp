// Long polls (`wait_time_ms`, docs/api.md): a pull with nothing ready waits in
// the coordinator until a message becomes ready or its time is up — woken by
// reports, never by polling.
#include <caf/send.hpp>
#include <catch2/catch.hpp>

#include "actors/errc.hpp"
#include "queue_fixture.hpp"

using namespace sluice;
using test::code_of;
using test::queue_fixture;

namespace {

struct long_poll_fixture : queue_fixture {
  /// Starts a pull that may wait `wait_ms`; its answer fills in later.
  answer<pulled_batch> long_poll(int64_t wait_ms, int64_t n = 10, int64_t visibility_ms = 30000) {
    auto c = queues->find("acct", qid);
    REQUIRE(c);
    return ask_later<pulled_batch>(*c, pull_messages{"acct", qid, n, visibility_ms, wait_ms});
  }

  static size_t got(const answer<pulled_batch>& a) {
    REQUIRE(*a);
    REQUIRE(**a);
    return (**a)->messages.size();
  }
};

} // namespace

TEST_CASE_METHOD(long_poll_fixture, "a long poll waits for a send and is answered at once") {
  auto waiting = long_poll(5000);
  CHECK_FALSE(*waiting); // nothing ready: it waits
  REQUIRE(send({text("a")}));
  REQUIRE(got(waiting) == 1);
  CHECK((**waiting)->messages[0].body == "a");
  CHECK((**waiting)->messages[0].attempts == 1);
  CHECK(pull().messages.empty()); // leased by the long poll
}

TEST_CASE_METHOD(long_poll_fixture, "a long poll with something ready answers without waiting") {
  REQUIRE(send({text("a"), text("b")}));
  auto now = long_poll(5000);
  CHECK(got(now) == 2);
}

TEST_CASE_METHOD(long_poll_fixture, "a long poll answers an empty batch when its time is up") {
  auto waiting = long_poll(2000);
  advance(1999);
  CHECK_FALSE(*waiting);
  advance(1);
  CHECK(got(waiting) == 0);
  CHECK((**waiting)->stats.backlog_count == 0);
  // Its time is up: a later send goes to the next pull, not to it.
  REQUIRE(send({text("late")}));
  CHECK(pull().messages.size() == 1);
}

TEST_CASE_METHOD(long_poll_fixture,
                 "a delay ending, an expired lease and a retry wake a long poll") {
  REQUIRE(send({text("delayed", int64_t{2})}));
  auto waiting = long_poll(10000, 10, 1000);
  CHECK_FALSE(*waiting);
  advance(2000); // the delay is over
  REQUIRE(got(waiting) == 1);

  auto again = long_poll(10000, 10, 1000);
  CHECK_FALSE(*again);
  advance(1000); // the first lease expired
  REQUIRE(got(again) == 1);
  CHECK((**again)->messages[0].attempts == 2);

  auto third = long_poll(10000);
  CHECK_FALSE(*third);
  auto r = settle({}, {retry_item{(**again)->messages[0].lease_id, int64_t{0}}});
  CHECK(r.retry_count == 1);
  run();
  REQUIRE(got(third) == 1);
  CHECK((**third)->messages[0].attempts == 3);
}

TEST_CASE_METHOD(long_poll_fixture, "waiting pulls are served oldest first, one message each") {
  auto first = long_poll(5000, 1);
  auto second = long_poll(5000, 1);
  auto third = long_poll(5000, 1);
  REQUIRE(send({text("a")}));
  CHECK(got(first) == 1);
  CHECK_FALSE(*second);
  REQUIRE(send({text("b"), text("c")}));
  CHECK(got(second) == 1);
  CHECK(got(third) == 1);
}

TEST_CASE_METHOD(long_poll_fixture, "a pause answers waiting pulls with queue_paused") {
  auto waiting = long_poll(5000);
  settings_patch pause;
  pause.delivery_paused = true;
  REQUIRE(
      ask<storage::queue_record>(hub, update_queue{"acct", qid, pause, false, caf::none, "tok"}));
  REQUIRE(*waiting);
  REQUIRE_FALSE(**waiting);
  CHECK(code_of((**waiting).error()) == errc::queue_paused);
}

TEST_CASE_METHOD(long_poll_fixture,
                 "deleting the queue answers waiting pulls with queue_not_found") {
  auto waiting = long_poll(5000);
  REQUIRE(ask<caf::ok_atom>(hub, delete_queue{"acct", qid}));
  run();
  REQUIRE(*waiting);
  REQUIRE_FALSE(**waiting);
  CHECK(code_of((**waiting).error()) == errc::queue_not_found);
}

TEST_CASE_METHOD(long_poll_fixture, "wait_time_ms outside 0-20000 is refused naming it") {
  auto c = queues->find("acct", qid);
  REQUIRE(c);
  for (int64_t bad : {int64_t{-1}, int64_t{20001}}) {
    auto r = ask<pulled_batch>(*c, pull_messages{"acct", qid, caf::none, caf::none, bad});
    REQUIRE_FALSE(r);
    CHECK(code_of(r.error()) == errc::invalid_request);
    CHECK(error_message(r.error()).find("wait_time_ms") != std::string::npos);
  }
  // 0 is today's short poll: an empty answer at once.
  auto r = ask<pulled_batch>(*c, pull_messages{"acct", qid, caf::none, caf::none, int64_t{0}});
  REQUIRE(r);
  CHECK(r->messages.empty());
}

TEST_CASE_METHOD(long_poll_fixture, "release_waiting_pulls answers every waiting pull now") {
  auto first = long_poll(5000);
  auto second = long_poll(5000);
  auto c = queues->find("acct", qid);
  REQUIRE(c);
  caf::anon_send(*c, release_waiting_pulls{});
  run();
  CHECK(got(first) == 0);
  CHECK(got(second) == 0);
}
