// Redrive tasks (docs/api.md, "Redrive") on the deterministic scheduler: what
// moves where, the rate limit, cancel, a restart in the middle, and a store
// that fails.
#include <algorithm>
#include <map>
#include <set>

#include <catch2/catch.hpp>

#include "actors/queue/redrive_task.hpp"
#include "queue_fixture.hpp"
#include "storage/fault/faulty_backend.hpp"
#include "storage/memory/memory_backend.hpp"

using namespace sluice;
using storage::redrive_state;
using test::code_of;

namespace {

/// A source queue "jobs" whose pull consumer has no retries and dead-letters
/// into "jobs-dlq"; `fill(n)` dead-letters n messages.
template <class Base>
struct redrive_base : Base {
  using Base::Base;
  std::string dlq;

  void setup() {
    this->add_consumer(0, "jobs-dlq");
    dlq = this->template ask<queue_list>(this->hub, list_queues{"acct", "jobs-dlq"})->at(0).id;
  }

  /// Sends n messages to jobs and lets each one's only delivery expire.
  std::vector<pulled_message> fill(int n) {
    std::vector<outgoing_message> ms;
    for (int i = 0; i < n; ++i)
      ms.push_back(this->text("m" + std::to_string(i)));
    REQUIRE(this->send(ms));
    auto b = this->pull(n, 1000);
    REQUIRE(b.messages.size() == static_cast<size_t>(n));
    this->advance(1000);
    REQUIRE(backlog(dlq) == static_cast<uint64_t>(n));
    REQUIRE(backlog(this->qid) == 0);
    return b.messages;
  }

  uint64_t backlog(const std::string& queue) {
    auto s = this->template ask_queue<queue_stats>(get_stats{"acct", queue});
    REQUIRE(s);
    return s->backlog_count;
  }

  caf::expected<storage::redrive_record> redrive(caf::optional<std::string> dest = caf::none,
                                                 caf::optional<int64_t> rate = caf::none,
                                                 const std::string& source = {}) {
    return this->template ask<storage::redrive_record>(
        this->hub, start_redrive{"acct", source.empty() ? dlq : source, dest, rate, "tester"});
  }

  storage::redrive_record status(const std::string& source = {}) {
    auto r = this->template ask<storage::redrive_record>(
        this->hub, get_redrive{"acct", source.empty() ? dlq : source});
    REQUIRE(r);
    return *r;
  }

  std::vector<pulled_message> peek(const std::string& queue) {
    auto p = this->template ask_queue<pulled_batch>(peek_messages{"acct", queue, int64_t{100}});
    REQUIRE(p);
    return p->messages;
  }
};

struct redrive_fixture : redrive_base<test::queue_fixture> {
  redrive_fixture() { setup(); }
};

struct fault_stores {
  storage::memory_backend memory;
  storage::faulty_backend faulty{memory};
};

struct redrive_fault_fixture : fault_stores, redrive_base<test::queue_fixture> {
  redrive_fault_fixture() : redrive_base<test::queue_fixture>(&faulty) { setup(); }

  storage::fault_plan& plan() { return faulty.plan(); }
};

bool mentions(const caf::error& e, const std::string& text) {
  return error_message(e).find(text) != std::string::npos;
}

} // namespace

TEST_CASE("the pause after a batch keeps to the rate, and a batch is a second's worth at most",
          "[redrive]") {
  CHECK(redrive_pause_ms(10, 0) == 0);
  CHECK(redrive_pause_ms(10, 10) == 1000);
  CHECK(redrive_pause_ms(3, 2) == 1500);
  storage::redrive_record t;
  t.to_move = 1000;
  CHECK(redrive_next_batch(t) == redrive_batch_size);
  t.max_per_second = 7;
  CHECK(redrive_next_batch(t) == 7);
  t.moved = 997;
  CHECK(redrive_next_batch(t) == 3);
  t.moved = 1000;
  CHECK(redrive_next_batch(t) == 0);
}

TEST_CASE_METHOD(redrive_fixture,
                 "a redrive moves dead letters back with id, body, type and timestamp",
                 "[redrive]") {
  auto sent_at = clock;
  auto originals = fill(3);
  advance(5000);
  auto r = redrive();
  REQUIRE(r);
  CHECK(r->state == redrive_state::running);
  CHECK(r->to_move == 3);
  CHECK(r->source_queue_id == dlq);
  CHECK(r->destination_queue_id.empty());
  run();
  auto done = status();
  CHECK(done.state == redrive_state::completed);
  CHECK(done.moved == 3);
  CHECK(done.finished_ms == clock);
  CHECK(backlog(dlq) == 0);
  auto back = pull(10, 30000);
  REQUIRE(back.messages.size() == 3);
  std::set<std::string> ids;
  for (const auto& m : originals)
    ids.insert(m.id);
  for (const auto& m : back.messages) {
    CHECK(ids.count(m.id) == 1);
    CHECK(m.body.substr(0, 1) == "m");
    CHECK(m.type == static_cast<uint8_t>(storage::content_type::text));
    CHECK(m.timestamp_ms == sent_at);
    CHECK(m.attempts == 1); // attempts start again
    CHECK_FALSE(m.dead_letter);
  }
  // Audited: who started it, with what.
  auto audit = ask<audit_list>(hub, list_audit{"acct", "StartRedrive", dlq, {}, {}, 0, 0});
  REQUIRE(audit);
  REQUIRE(audit->entries.size() == 1);
  CHECK(audit->entries[0].caller == "tester");
}

TEST_CASE_METHOD(redrive_fixture, "bad starts are refused naming the field or the conflict",
                 "[redrive]") {
  fill(2);
  auto bad_rate = redrive(caf::none, int64_t{0});
  REQUIRE(!bad_rate);
  CHECK(code_of(bad_rate.error()) == errc::invalid_request);
  CHECK(mentions(bad_rate.error(), "max_messages_per_second"));
  CHECK(!redrive(caf::none, int64_t{501}));
  auto unknown = redrive(std::string{"0123456789abcdef0123456789abcdef"});
  REQUIRE(!unknown);
  CHECK(code_of(unknown.error()) == errc::queue_not_found);
  CHECK(mentions(unknown.error(), "destination_queue_id"));
  auto itself = redrive(dlq);
  REQUIRE(!itself);
  CHECK(code_of(itself.error()) == errc::invalid_request);
  // "jobs" is nobody's dead-letter queue: only with a destination.
  auto not_dlq = redrive(caf::none, caf::none, qid);
  REQUIRE(!not_dlq);
  CHECK(code_of(not_dlq.error()) == errc::invalid_request);
  CHECK(mentions(not_dlq.error(), "destination_queue_id"));
  auto none = ask<storage::redrive_record>(hub, get_redrive{"acct", dlq});
  REQUIRE(!none);
  CHECK(code_of(none.error()) == errc::redrive_not_found);
  auto nothing_to_cancel = ask<storage::redrive_record>(hub, cancel_redrive{"acct", dlq, "t"});
  REQUIRE(!nothing_to_cancel);
  CHECK(code_of(nothing_to_cancel.error()) == errc::redrive_not_found);
  // A second task while one runs: 409.
  REQUIRE(redrive(caf::none, int64_t{1}));
  auto second = redrive();
  REQUIRE(!second);
  CHECK(code_of(second.error()) == errc::redrive_running);
}

TEST_CASE_METHOD(redrive_fixture, "the rate limit paces batches on timers, no faster",
                 "[redrive]") {
  fill(10);
  auto r = redrive(caf::none, int64_t{2});
  REQUIRE(r);
  run();
  CHECK(status().moved == 2); // the first second's batch
  CHECK(backlog(qid) == 2);
  advance(999);
  CHECK(status().moved == 2);
  advance(1);
  CHECK(status().moved == 4);
  for (int i = 0; i < 4; ++i)
    advance(1000); // one batch per second, then the end
  auto done = status();
  CHECK(done.moved == 10);
  CHECK(done.state == redrive_state::completed);
  CHECK(backlog(dlq) == 0);
  CHECK(backlog(qid) == 10);
}

TEST_CASE_METHOD(redrive_fixture, "cancel stops a task, what moved stays moved, the rest stays",
                 "[redrive]") {
  fill(6);
  REQUIRE(redrive(caf::none, int64_t{2}));
  run();
  auto c = ask<storage::redrive_record>(hub, cancel_redrive{"acct", dlq, "canceller"});
  REQUIRE(c);
  CHECK(c->state == redrive_state::cancelled);
  advance(5000);
  auto s = status();
  CHECK(s.state == redrive_state::cancelled);
  CHECK(s.moved == 2);
  CHECK(backlog(qid) == 2);
  CHECK(backlog(dlq) == 4);
  auto audit = ask<audit_list>(hub, list_audit{"acct", "CancelRedrive", dlq, {}, {}, 0, 0});
  REQUIRE(audit);
  CHECK(audit->entries.size() == 1);
  // A new task may start now and moves the rest.
  auto again = redrive();
  REQUIRE(again);
  CHECK(again->to_move == 4);
  run();
  CHECK(backlog(dlq) == 0);
  CHECK(backlog(qid) == 6);
}

TEST_CASE_METHOD(redrive_fixture, "a task running at a restart resumes and finishes", "[redrive]") {
  fill(6);
  REQUIRE(redrive(caf::none, int64_t{2}));
  run();
  REQUIRE(status().moved == 2);
  stop();
  start(); // the hub's restart
  // Resumed at start from the stored count: its first batch ran at once.
  auto resumed = status();
  CHECK(resumed.state == redrive_state::running);
  CHECK(resumed.moved == 4);
  CHECK(backlog(qid) == 4);
  for (int i = 0; i < 2; ++i)
    advance(1000);
  auto done = status();
  CHECK(done.state == redrive_state::completed);
  CHECK(done.moved == 6);
  CHECK(backlog(dlq) == 0);
  CHECK(backlog(qid) == 6);
}

TEST_CASE_METHOD(redrive_fixture, "a named destination takes every message, dead-lettered or not",
                 "[redrive]") {
  fill(2);
  auto other = create("elsewhere");
  REQUIRE(other);
  REQUIRE(send({text("sent-straight")}, caf::none, dlq));
  auto r = redrive(other->id);
  REQUIRE(r);
  CHECK(r->to_move == 3);
  run();
  CHECK(status().state == redrive_state::completed);
  CHECK(backlog(other->id) == 3);
  CHECK(backlog(dlq) == 0);
  CHECK(backlog(qid) == 0);
}

TEST_CASE_METHOD(redrive_fixture,
                 "a message without an origin fails the task and stays in the dead-letter queue",
                 "[redrive]") {
  REQUIRE(send({text("sent-straight")}, caf::none, dlq));
  REQUIRE(redrive());
  run();
  auto s = status();
  CHECK(s.state == redrive_state::failed);
  CHECK(s.failure_reason.find("destination_queue_id") != std::string::npos);
  CHECK(backlog(dlq) == 1);
  auto left = pull(10, 30000, dlq);
  REQUIRE(left.messages.size() == 1); // given back at once, its attempts untouched
  CHECK(left.messages[0].attempts == 1);
}

TEST_CASE_METHOD(redrive_fixture, "a paused dead-letter queue is redriven all the same",
                 "[redrive]") {
  fill(2);
  settings_patch paused;
  paused.delivery_paused = true;
  REQUIRE(ask<storage::queue_record>(hub, update_queue{"acct", dlq, paused, false, caf::none}));
  REQUIRE(redrive());
  run();
  CHECK(status().state == redrive_state::completed);
  CHECK(backlog(qid) == 2);
}

TEST_CASE_METHOD(redrive_fault_fixture,
                 "a destination that cannot store fails the task and loses nothing", "[redrive]") {
  fill(3);
  plan().fail_writes_of("append");
  REQUIRE(redrive());
  run();
  auto s = status();
  CHECK(s.state == redrive_state::failed);
  CHECK(s.failure_reason.find("could not store") != std::string::npos);
  CHECK(s.moved == 0);
  plan().heal();
  CHECK(backlog(dlq) == 3);
  CHECK(backlog(qid) == 0);
  // Given back: a new task moves them all.
  REQUIRE(redrive());
  run();
  CHECK(status().state == redrive_state::completed);
  CHECK(backlog(qid) == 3);
  CHECK(backlog(dlq) == 0);
}

TEST_CASE_METHOD(redrive_fault_fixture,
                 "a crash with a batch under way loses nothing and duplicates at most that batch",
                 "[redrive]") {
  auto originals = fill(5);
  REQUIRE(redrive(caf::none, int64_t{2}));
  run();
  REQUIRE(status().moved == 2);
  // The next batch is taken and written to its destination, but the process
  // dies before the write is confirmed (and so before the source deletes it).
  plan().hold_writes();
  advance(1000);
  REQUIRE(plan().held() > 0);
  stop();
  plan().release_writes(); // to actors that are gone
  start();
  for (int i = 0; i < 3; ++i)
    advance(1000);
  auto done = status();
  CHECK(done.state == redrive_state::completed);
  CHECK(backlog(dlq) == 0);
  std::map<std::string, int> copies;
  for (const auto& m : peek(qid))
    ++copies[m.id];
  CHECK(copies.size() == originals.size()); // none lost
  size_t total = 0;
  for (const auto& [id, n] : copies) {
    CHECK(n <= 2);
    total += static_cast<size_t>(n);
  }
  // The batch under way was stored in both queues at the crash, so moved twice.
  CHECK(total == originals.size() + 2);
}

TEST_CASE_METHOD(redrive_fixture, "deleting the source queue ends its task and forgets it",
                 "[redrive]") {
  fill(4);
  REQUIRE(redrive(caf::none, int64_t{1}));
  run();
  REQUIRE(ask<caf::ok_atom>(hub, delete_queue{"acct", dlq, "tester"}));
  advance(5000);
  auto gone = ask<storage::redrive_record>(hub, get_redrive{"acct", dlq});
  REQUIRE(!gone);
  CHECK(code_of(gone.error()) == errc::queue_not_found);
  CHECK(backlog(qid) == 1); // what moved before stays moved
  stop();
  start(); // nothing to resume
  CHECK(backlog(qid) == 1);
}

TEST_CASE_METHOD(redrive_fault_fixture,
                 "a source that cannot delete fails the task, the moved copies stay in both queues",
                 "[redrive]") {
  fill(3);
  plan().fail_writes_of("settle");
  REQUIRE(redrive());
  run();
  auto s = status();
  CHECK(s.state == redrive_state::failed);
  CHECK(s.failure_reason.find("could not remove 3 moved messages") != std::string::npos);
  CHECK(s.moved == 3);
  plan().heal();
  CHECK(backlog(qid) == 3);                     // stored in their destination
  CHECK(backlog(dlq) == 3);                     // and still in the source: at least once
  CHECK(pull(10, 30000, dlq).messages.empty()); // out of sight until their take ends
  advance(redrive_take_visibility_ms);
  CHECK(pull(10, 30000, dlq).messages.size() == 3);
}
