// Every rollback path of the hub, the coordinators and the storage shards,
// driven by a fault-injecting store: after the injected failure the caller
// got an error with a status and a message a person can act on, nothing
// acknowledged is lost, nothing is half-applied, and the queue keeps serving.
#include <catch2/catch.hpp>

#include "queue_fixture.hpp"
#include "storage/fault/faulty_backend.hpp"
#include "storage/memory/memory_backend.hpp"
#include "tests/metrics_text.hpp"

using namespace sluice;
using storage::store_errc;
using test::code_of;

namespace {

/// The stores, built before the hub that runs on them.
struct fault_stores {
  storage::memory_backend memory;
  storage::faulty_backend faulty{memory};
};

struct fault_fixture : fault_stores, test::queue_fixture {
  fault_fixture() : queue_fixture(&faulty) {}

  storage::fault_plan& plan() { return faulty.plan(); }

  double storage_errors(const std::string& op) {
    return test::sample(registry.expose(), "sluice_storage_errors_total", {{"op", op}});
  }

  size_t queue_count() {
    auto l = ask<queue_list>(hub, list_queues{"acct", ""});
    REQUIRE(l);
    return l->size();
  }

  size_t audit_count() {
    list_audit q;
    q.account = "acct";
    auto l = ask<audit_list>(hub, q);
    REQUIRE(l);
    return l->entries.size();
  }

  uint64_t backlog() {
    auto s = ask_queue<queue_stats>(get_stats{"acct", qid});
    REQUIRE(s);
    return s->backlog_count;
  }

  /// Restarts the hub on the same stores (what a restart recovers).
  void restart() {
    stop();
    start();
  }
};

bool mentions(const caf::error& e, const std::string& text) {
  return error_message(e).find(text) != std::string::npos;
}

} // namespace

TEST_CASE_METHOD(fault_fixture,
                 "a failed queue create answers 500, keeps nothing and frees the name") {
  auto before = audit_count();
  plan().fail_nth_write(1);
  auto q = create("orders");
  REQUIRE(!q);
  CHECK(code_of(q.error()) == errc::storage_failure);
  CHECK(mentions(q.error(), "could not store the queue"));
  CHECK(queue_count() == 1); // only "jobs"
  CHECK(audit_count() == before);
  CHECK(storage_errors("meta") == 1);
  REQUIRE(create("orders")); // the name was not taken
  restart();
  CHECK(queue_count() == 2);
}

TEST_CASE_METHOD(fault_fixture, "a full disk answers 507 with a message saying what to do") {
  plan().fail_nth_write(1, store_errc::no_space);
  auto q = create("orders");
  REQUIRE(!q);
  CHECK(code_of(q.error()) == errc::storage_full);
  CHECK(mentions(q.error(), "disk is full"));
  CHECK(mentions(q.error(), "free space"));
  plan().fail_writes(store_errc::no_space);
  auto s = send({text("a")});
  REQUIRE(!s);
  CHECK(code_of(s.error()) == errc::storage_full);
  plan().heal();
  REQUIRE(send({text("a")}));
  CHECK(pull().messages.size() == 1);
}

TEST_CASE_METHOD(fault_fixture, "a failed queue update keeps the old settings") {
  settings_patch pause;
  pause.delivery_paused = true;
  plan().fail_nth_write(1);
  auto r = ask<storage::queue_record>(hub, update_queue{"acct", qid, pause, false, caf::none});
  REQUIRE(!r);
  CHECK(code_of(r.error()) == errc::storage_failure);
  auto q = ask<storage::queue_record>(hub, get_queue{"acct", qid});
  REQUIRE(q);
  CHECK_FALSE(q->settings.delivery_paused);
  REQUIRE(send({text("a")}));
  CHECK(pull().messages.size() == 1); // not paused
}

TEST_CASE_METHOD(fault_fixture, "a failed queue delete keeps the queue with all its messages") {
  REQUIRE(send({text("a"), text("b")}));
  plan().fail_nth_write(1);
  auto r = ask<caf::ok_atom>(hub, delete_queue{"acct", qid});
  REQUIRE(!r);
  CHECK(code_of(r.error()) == errc::storage_failure);
  CHECK(mentions(r.error(), "could not delete the queue"));
  CHECK(queue_count() == 1);
  CHECK(backlog() == 2); // the coordinator kept running with its messages
  auto b = pull();
  CHECK(b.messages.size() == 2);
  REQUIRE(ask<caf::ok_atom>(hub, delete_queue{"acct", qid}));
  CHECK(queue_count() == 0);
  restart();
  CHECK(queue_count() == 0);
}

TEST_CASE_METHOD(fault_fixture,
                 "a failed send answers 500 and stores nothing, and the next one works") {
  plan().fail_writes_of("append");
  auto s = send({text("lost-before-ack"), text("also")});
  REQUIRE(!s);
  CHECK(code_of(s.error()) == errc::storage_failure);
  CHECK(mentions(s.error(), "could not store the messages"));
  CHECK(storage_errors("append") == 1);
  CHECK(backlog() == 0);
  CHECK(pull().messages.empty());
  plan().heal();
  REQUIRE(send({text("kept")}));
  restart();
  auto b = pull();
  REQUIRE(b.messages.size() == 1);
  CHECK(b.messages[0].body == "kept");
}

TEST_CASE_METHOD(fault_fixture, "a slow sync holds the send's answer until the write is durable") {
  plan().hold_writes();
  auto answered = std::make_shared<bool>(false);
  auto coordinator = *queues->find("acct", qid);
  // The message travels as a spawn argument: CAF 0.17.6 dereferences a null
  // shared_ptr<tuple<>> for argument-less spawns (UBSan reports it).
  sys().spawn(
      [coordinator, answered](caf::event_based_actor* self, send_messages msg) {
        self->request(coordinator, caf::infinite, std::move(msg)).then([answered](sent_messages&) {
          *answered = true;
        });
      },
      send_messages{"acct", qid, {text("slow")}, caf::none});
  run();
  CHECK_FALSE(*answered);
  CHECK(plan().held() == 1);
  CHECK(pull().messages.empty()); // not deliverable before it is durable
  plan().release_writes();
  run();
  CHECK(*answered);
  CHECK(pull().messages.size() == 1);
}

TEST_CASE_METHOD(fault_fixture, "a failed ack leaves the message leased, and acking again works") {
  REQUIRE(send({text("a")}));
  auto m = pull().messages.at(0);
  plan().fail_writes_of("settle");
  auto r = ask_queue<ack_result>(ack_messages{"acct", qid, {m.lease_id}, {}});
  REQUIRE(!r);
  CHECK(code_of(r.error()) == errc::storage_failure);
  CHECK(mentions(r.error(), "could not store the acknowledgements"));
  CHECK(backlog() == 1);
  CHECK(pull().messages.empty()); // still leased, as before the ack
  plan().heal();
  CHECK(settle({m.lease_id}).ack_count == 1);
  restart();
  advance(60'000);
  CHECK(pull().messages.empty()); // the ack is durable: never delivered again
}

TEST_CASE_METHOD(fault_fixture, "a failed retry keeps the lease as it was") {
  REQUIRE(send({text("a")}));
  auto m = pull(1, 10'000).messages.at(0);
  plan().fail_writes_of("settle");
  auto r =
      ask_queue<ack_result>(ack_messages{"acct", qid, {}, {retry_item{m.lease_id, int64_t{0}}}});
  REQUIRE(!r);
  CHECK(code_of(r.error()) == errc::storage_failure);
  CHECK(pull().messages.empty()); // not released by the failed retry
  plan().heal();
  advance(10'000); // the lease expires as it would have
  auto again = pull().messages;
  REQUIRE(again.size() == 1);
  CHECK(again[0].attempts == 2);
}

TEST_CASE_METHOD(fault_fixture, "a failed purge deletes nothing") {
  REQUIRE(send({text("a"), text("b")}));
  auto leased = pull(1).messages.at(0);
  plan().fail_writes_of("purge");
  auto r = ask<purge_status>(hub, purge_queue{"acct", qid});
  REQUIRE(!r);
  CHECK(code_of(r.error()) == errc::storage_failure);
  CHECK(backlog() == 2);
  CHECK(pull().messages.size() == 1);              // the ready one is still there
  CHECK(settle({leased.lease_id}).ack_count == 1); // the leased one too
  plan().heal();
  REQUIRE(ask<purge_status>(hub, purge_queue{"acct", qid}));
  CHECK(backlog() == 0);
}

TEST_CASE_METHOD(fault_fixture,
                 "a failed lease-state write is counted and the pull is still served") {
  REQUIRE(send({text("a")}));
  plan().fail_writes_of("lease");
  CHECK(pull().messages.size() == 1);
  CHECK(storage_errors("lease") == 1);
}

TEST_CASE_METHOD(fault_fixture,
                 "a failed expiry is written again, so an expired message stays gone") {
  settings_patch s;
  s.message_retention_period = 60;
  REQUIRE(ask<storage::queue_record>(hub, update_queue{"acct", qid, s, false, caf::none}));
  REQUIRE(send({text("old")}));
  plan().fail_writes_of("expire");
  advance(61'000);
  CHECK(backlog() == 0);
  CHECK(storage_errors("expire") >= 1);
  plan().heal();
  advance(1'000); // the deletion is tried again at the next tick
  restart();
  CHECK(backlog() == 0);
}

TEST_CASE_METHOD(fault_fixture,
                 "a failed recovery read is retried while requests wait, and nothing is lost") {
  REQUIRE(send({text("a")}));
  stop();
  plan().fail_reads();
  start();
  CHECK(storage_errors("recover") >= 1);
  plan().heal();
  advance(1'000);
  auto b = pull();
  REQUIRE(b.messages.size() == 1);
  CHECK(b.messages[0].body == "a");
}

TEST_CASE_METHOD(fault_fixture, "a failed page read keeps cold messages on disk and counted") {
  stop();
  window = 2;
  start();
  REQUIRE(send({text("1"), text("2"), text("3"), text("4")}));
  REQUIRE(send({text("5"), text("6")}));
  CHECK(backlog() == 6);
  plan().fail_reads();
  auto first = pull(2).messages;
  REQUIRE(first.size() == 2);
  CHECK(settle({first[0].lease_id, first[1].lease_id}).ack_count == 2);
  CHECK(storage_errors("page") >= 1);
  CHECK(backlog() == 4); // still counted
  plan().heal();
  REQUIRE(send({text("7")})); // any change pages again
  size_t seen = 0;
  for (int i = 0; i < 10 && seen < 5; ++i) {
    auto b = pull(2).messages;
    std::vector<std::string> ids;
    for (auto& m : b)
      ids.push_back(m.lease_id);
    seen += b.size();
    if (!ids.empty())
      settle(ids);
  }
  CHECK(seen == 5);
}

TEST_CASE_METHOD(fault_fixture,
                 "a dead-letter queue that cannot store keeps the message in its queue") {
  add_consumer(0, "jobs-dlq");
  REQUIRE(send({text("poison")}));
  auto m = pull().messages.at(0);
  plan().fail_writes_of("append"); // the DLQ's append
  auto r = settle({}, {retry_item{m.lease_id, caf::none}});
  CHECK(r.retry_count == 1);
  CHECK(backlog() == 1); // back in its own queue, not lost
  plan().heal();
  auto again = pull().messages;
  REQUIRE(again.size() == 1);
  settle({}, {retry_item{again[0].lease_id, caf::none}});
  auto dlq = ask<queue_list>(hub, list_queues{"acct", "jobs-dlq"});
  REQUIRE(dlq);
  REQUIRE(dlq->size() == 1);
  CHECK(pull(10, 30000, dlq->at(0).id).messages.size() == 1);
  CHECK(backlog() == 0);
}

TEST_CASE_METHOD(fault_fixture,
                 "failed token, consumer, script and subscription writes change nothing") {
  principal admin{"root", std::string{storage::all_accounts}, storage::perm_admin};
  plan().fail_nth_write(1);
  auto t = ask<token_created>(hub, create_token{admin, "acct", "ci", storage::perm_queues_read});
  REQUIRE(!t);
  CHECK(code_of(t.error()) == errc::storage_failure);
  auto listed = ask<token_list>(hub, list_tokens{admin, "acct"});
  REQUIRE(listed);
  CHECK(listed->empty());

  auto made = ask<token_created>(hub, create_token{admin, "acct", "ci", storage::perm_queues_read});
  REQUIRE(made);
  plan().fail_nth_write(1);
  REQUIRE(!ask<caf::ok_atom>(hub, revoke_token{admin, "acct", made->record.id}));
  listed = ask<token_list>(hub, list_tokens{admin, "acct"});
  REQUIRE(listed);
  CHECK(listed->size() == 1); // still valid

  consumer_patch c;
  c.type = std::string{"http_pull"};
  c.dead_letter_queue = std::string{"jobs-dlq"};
  plan().fail_nth_write(1);
  REQUIRE(!ask<storage::consumer_record>(hub, put_consumer{"acct", qid, "", c}));
  CHECK(queue_count() == 1); // the dead-letter queue was not created either
  auto q = ask<storage::queue_record>(hub, get_queue{"acct", qid});
  REQUIRE(q);
  CHECK(q->consumers.empty());

  plan().fail_nth_write(1);
  REQUIRE(!ask<storage::script_record>(hub, put_script{"acct", "hook", "webhook", {}}));
  CHECK(!ask<storage::script_record>(hub, get_script{"acct", "hook"}));

  subscription_patch sp;
  sp.name = std::string{"s"};
  sp.source_type = std::string{"r2"};
  sp.events = std::vector<std::string>{"bucket.created"};
  sp.queue_id = qid;
  plan().fail_nth_write(1);
  auto sub = ask<storage::subscription_record>(hub, create_subscription{"acct", sp});
  REQUIRE(!sub);
  CHECK(code_of(sub.error()) == errc::storage_failure);
  auto subs = ask<subscription_list>(hub, list_subscriptions{"acct", ""});
  REQUIRE(subs);
  CHECK(subs->empty());
  restart();
  CHECK(queue_count() == 1);
}
