// Deduplicated sends (docs/api.md, "Deduplicated sends") on the
// deterministic scheduler: a repeat within the queue's window answers with
// the original id and stores nothing; the window expires, survives a
// restart, can be turned off; two concurrent repeats store once; a failed
// lookup or write stores nothing and leaves the id free.
#include <catch2/catch.hpp>

#include <memory>

#include "actors/queue/coordinator.hpp"
#include "actors/queue/shard_dedup.hpp"
#include "queue_fixture.hpp"
#include "storage/fault/faulty_backend.hpp"
#include "storage/memory/memory_backend.hpp"

using namespace sluice;
using storage::store_errc;
using test::code_of;

namespace {

struct dedup_fixture : test::queue_fixture {
  explicit dedup_fixture(storage::backend* stores = nullptr) : queue_fixture(stores) {}

  outgoing_message keyed(std::string body, std::string dedup_id) {
    auto m = text(std::move(body));
    m.dedup_id = std::move(dedup_id);
    return m;
  }

  std::vector<std::string> ids(std::vector<outgoing_message> ms) {
    auto r = sent(std::move(ms));
    REQUIRE(r);
    return r->ids;
  }

  uint64_t backlog() {
    auto s = ask_queue<queue_stats>(get_stats{"acct", qid});
    REQUIRE(s);
    return s->backlog_count;
  }

  void set_window(int64_t seconds) {
    settings_patch p;
    p.dedup_window_seconds = seconds;
    REQUIRE(update(p, false));
  }

  caf::expected<storage::queue_record> update(settings_patch p, bool replace) {
    update_queue u;
    u.account = "acct";
    u.queue_id = qid;
    u.settings = p;
    u.replace = replace;
    return ask<storage::queue_record>(hub, u);
  }
};

struct fault_stores {
  storage::memory_backend memory;
  storage::faulty_backend faulty{memory};
};

struct dedup_fault_fixture : fault_stores, dedup_fixture {
  dedup_fault_fixture() : dedup_fixture(&faulty) {}
  storage::fault_plan& plan() { return faulty.plan(); }
};

/// Sends `msg` from a fresh actor without waiting; the answer lands in `out`.
void send_async(caf::actor_system& sys, coordinator_actor c, send_messages msg,
                std::shared_ptr<caf::expected<sent_messages>> out) {
  sys.spawn(
      [c, out](caf::event_based_actor* self, send_messages m) {
        self->request(c, caf::infinite, std::move(m))
            .then([out](sent_messages& r) { *out = std::move(r); },
                  [out](caf::error& e) { *out = std::move(e); });
      },
      std::move(msg));
}

} // namespace

TEST_CASE_METHOD(dedup_fixture, "a send answers with its message's id") {
  auto got = ids({text("a"), text("b")});
  REQUIRE(got.size() == 2);
  CHECK(got[0].size() == 32);
  CHECK(got[0] != got[1]);
  auto pulled = pull();
  REQUIRE(pulled.messages.size() == 2);
  CHECK(((pulled.messages[0].id == got[0] && pulled.messages[1].id == got[1])
         || (pulled.messages[0].id == got[1] && pulled.messages[1].id == got[0])));
}

TEST_CASE_METHOD(dedup_fixture,
                 "a repeated dedup id answers with the original id and stores nothing") {
  auto first = ids({keyed("a", "order-1")});
  auto again = ids({keyed("a, retried", "order-1")});
  CHECK(again == first);
  CHECK(backlog() == 1);
  auto other = ids({keyed("b", "order-2")});
  CHECK(other != first);
  CHECK(backlog() == 2);
  // A message without a dedup id is never a repeat.
  ids({text("c")});
  ids({text("c")});
  CHECK(backlog() == 4);
}

TEST_CASE_METHOD(dedup_fixture, "a batch stores only its new ids, and an id repeated in it once") {
  auto first = ids({keyed("a", "k1")});
  auto batch = ids({keyed("a", "k1"), keyed("b", "k2"), keyed("b again", "k2"), text("plain")});
  REQUIRE(batch.size() == 4);
  CHECK(batch[0] == first[0]);
  CHECK(batch[1] == batch[2]);
  CHECK(batch[1] != batch[0]);
  CHECK(backlog() == 3); // a, b, plain
  // The whole batch repeated (a producer's retry) stores nothing.
  CHECK(ids({keyed("a", "k1"), keyed("b", "k2"), keyed("b again", "k2")})
        == std::vector<std::string>{batch[0], batch[1], batch[2]});
  CHECK(backlog() == 3);
}

TEST_CASE_METHOD(dedup_fixture, "a dedup id is remembered for the window, then is new") {
  set_window(10);
  auto first = ids({keyed("a", "k")});
  advance(9'999);
  CHECK(ids({keyed("a", "k")}) == first);
  advance(1); // the window is over
  auto later = ids({keyed("a", "k")});
  CHECK(later != first);
  CHECK(backlog() == 2);
  // The new send starts a new window.
  advance(5'000);
  CHECK(ids({keyed("a", "k")}) == later);
}

TEST_CASE_METHOD(dedup_fixture, "a window of 0 turns dedup off") {
  set_window(0);
  auto a = ids({keyed("a", "k")});
  auto b = ids({keyed("a", "k")});
  CHECK(a != b);
  CHECK(backlog() == 2);
  // Nothing was remembered while it was off.
  set_window(300);
  auto c = ids({keyed("a", "k")});
  CHECK(c != a);
  CHECK(c != b);
}

TEST_CASE_METHOD(dedup_fixture, "the dedup window survives a restart") {
  auto first = ids({keyed("a", "k")});
  stop();
  start();
  CHECK(ids({keyed("a", "k")}) == first);
  CHECK(backlog() == 1);
}

TEST_CASE_METHOD(dedup_fixture, "expired entries are swept from the store") {
  set_window(1);
  ids({keyed("a", "k1"), keyed("b", "k2")});
  auto shard = dedup_shard("k1", default_shard_count);
  auto store = stores().messages(qid, shard);
  auto found = [&](int64_t now) {
    size_t n = 0;
    store->lookup_dedup({{"k1", "k2"}, now}, [&](auto r) {
      REQUIRE(r);
      n = r->size();
    });
    return n;
  };
  CHECK(found(0) == 2);
  advance(2'000); // past the expiry: the shard's sweep deletes both
  CHECK(found(0) == 0);
}

TEST_CASE_METHOD(dedup_fixture, "bad dedup ids are refused naming the field") {
  // (An empty id is "none" here; the HTTP layer refuses an empty one.)
  auto r = sent({keyed("a", std::string(129, 'x'))});
  REQUIRE_FALSE(r);
  CHECK(code_of(r.error()) == errc::invalid_request);
  CHECK(error_message(r.error()).find("dedup_id must be 1-128") != std::string::npos);
  r = sent({text("ok"), keyed("a", "tab\there")});
  REQUIRE_FALSE(r);
  CHECK(error_message(r.error()).find("messages[1].dedup_id") != std::string::npos);
  CHECK(backlog() == 0);
}

TEST_CASE_METHOD(dedup_fixture, "the dedup window is a queue setting with bounds") {
  auto q = ask<storage::queue_record>(hub, get_queue{"acct", qid});
  REQUIRE(q);
  CHECK(q->settings.dedup_window_seconds == 300);
  settings_patch p;
  p.dedup_window_seconds = int64_t{43201};
  auto r = update(p, false);
  REQUIRE_FALSE(r);
  CHECK(error_message(r.error()).find("settings.dedup_window_seconds") != std::string::npos);
  p.dedup_window_seconds = int64_t{43200};
  REQUIRE(update(p, false));
  stop();
  start();
  q = ask<storage::queue_record>(hub, get_queue{"acct", qid});
  REQUIRE(q);
  CHECK(q->settings.dedup_window_seconds == 43200);
  // PUT without it returns it to the default.
  REQUIRE(update({}, true));
  q = ask<storage::queue_record>(hub, get_queue{"acct", qid});
  CHECK(q->settings.dedup_window_seconds == 300);
}

TEST_CASE_METHOD(dedup_fault_fixture, "two concurrent sends with one dedup id store once") {
  plan().hold_writes();
  auto c = *queues->find("acct", qid);
  auto a = std::make_shared<caf::expected<sent_messages>>(caf::error{});
  auto b = std::make_shared<caf::expected<sent_messages>>(caf::error{});
  send_async(sys(), c, send_messages{"acct", qid, {keyed("a", "k")}, caf::none}, a);
  send_async(sys(), c, send_messages{"acct", qid, {keyed("b", "k")}, caf::none}, b);
  run();
  CHECK(plan().held() == 1); // the second waits for the first, unlooked-up
  plan().release_writes();
  run();
  REQUIRE(*a);
  REQUIRE(*b);
  CHECK((*a)->ids == (*b)->ids);
  CHECK(backlog() == 1);
}

TEST_CASE_METHOD(dedup_fault_fixture, "a failed write stores nothing and leaves the id free") {
  plan().fail_nth_write(1);
  auto r = sent({keyed("a", "k")});
  REQUIRE_FALSE(r);
  CHECK(code_of(r.error()) == errc::storage_failure);
  CHECK(backlog() == 0);
  auto first = ids({keyed("a", "k")});
  CHECK(ids({keyed("a", "k")}) == first);
  CHECK(backlog() == 1);
}

TEST_CASE_METHOD(dedup_fault_fixture, "a failed lookup answers an error and stores nothing") {
  plan().fail_reads(store_errc::io_error);
  auto r = sent({keyed("a", "k")});
  REQUIRE_FALSE(r);
  CHECK(code_of(r.error()) == errc::storage_failure);
  CHECK(error_message(r.error()).find("dedup") != std::string::npos);
  plan().heal();
  CHECK(backlog() == 0);
  CHECK(ids({keyed("a", "k")}).size() == 1);
  CHECK(backlog() == 1);
}

TEST_CASE("dedup_shard is stable and spreads ids", "[dedup]") {
  CHECK(dedup_shard("order-1", 2) == dedup_shard("order-1", 2));
  size_t zero = 0;
  for (int i = 0; i < 100; ++i)
    zero += dedup_shard("id-" + std::to_string(i), 2) == 0 ? 1 : 0;
  CHECK(zero > 20);
  CHECK(zero < 80);
  CHECK(check_dedup_id("dedup_id", "ok id ~!").empty());
  CHECK_FALSE(check_dedup_id("dedup_id", "é").empty());
}

TEST_CASE_METHOD(dedup_fault_fixture, "a send with another dedup id is not held back") {
  plan().hold_writes();
  auto c = *queues->find("acct", qid);
  auto a = std::make_shared<caf::expected<sent_messages>>(caf::error{});
  auto b = std::make_shared<caf::expected<sent_messages>>(caf::error{});
  send_async(sys(), c, send_messages{"acct", qid, {keyed("a", "k1")}, caf::none}, a);
  send_async(sys(), c, send_messages{"acct", qid, {keyed("b", "k2")}, caf::none}, b);
  run();
  CHECK(plan().held() == 2); // both written, neither waits for the other
  plan().release_writes();
  run();
  REQUIRE(*a);
  REQUIRE(*b);
  CHECK((*a)->ids != (*b)->ids);
  CHECK(backlog() == 2);
}

TEST_CASE_METHOD(dedup_fault_fixture,
                 "a send whose answer was lost in a crash is answered its id when retried") {
  plan().hold_writes(); // written, but the process "dies" before answering
  auto c = *queues->find("acct", qid);
  auto lost = std::make_shared<caf::expected<sent_messages>>(caf::error{});
  send_async(sys(), c, send_messages{"acct", qid, {keyed("a", "k")}, caf::none}, lost);
  run();
  REQUIRE(plan().held() == 1);
  stop();
  plan().release_writes(); // the old process's callbacks go nowhere
  start();
  auto retried = ids({keyed("a", "k")});
  CHECK(backlog() == 1);
  auto pulled = pull();
  REQUIRE(pulled.messages.size() == 1);
  CHECK(pulled.messages[0].id == retried[0]);
}
