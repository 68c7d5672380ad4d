// Push delivery (docs/api.md, docs/plugins.md): worker consumers run the test-only "scripted"
// plugin (tests/unit/plugins/scripted_plugin.cpp) inline on the deterministic scheduler, so
// batching, outcomes, retries, dead-lettering and pause are checked in virtual time.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "hub_fixture.hpp"
#include "tests/metrics_text.hpp"
#include "tests/unit/plugins/parked_plugin.hpp"

using namespace sluice;
using test::code_of;

namespace {

struct push_fixture : test::hub_fixture {
  std::string qid;
  std::string log = dir.path() + "/batches.log";

  push_fixture() { qid = create("jobs")->id; }

  void deploy(const std::string& name = "scripted-1") {
    REQUIRE(ask<storage::script_record>(hub, put_script{"acct", name, "scripted", {{"LOG", log}}}));
  }

  caf::expected<storage::consumer_record> add_worker(int64_t batch_size, int64_t max_wait_ms,
                                                     int64_t max_retries = 3,
                                                     int64_t retry_delay = 0,
                                                     const std::string& dlq = {}) {
    consumer_patch c;
    c.type = std::string{"worker"};
    c.script_name = std::string{"scripted-1"};
    c.batch_size = batch_size;
    c.max_wait_time_ms = max_wait_ms;
    c.max_retries = max_retries;
    c.retry_delay = retry_delay;
    if (!dlq.empty())
      c.dead_letter_queue = dlq;
    return ask<storage::consumer_record>(hub, put_consumer{"acct", qid, "", c});
  }

  void send(std::vector<std::string> bodies, const std::string& queue = {}) {
    std::vector<outgoing_message> ms;
    for (auto& b : bodies)
      ms.push_back({std::move(b), static_cast<uint8_t>(storage::content_type::text), caf::none});
    REQUIRE(ask_queue<sent_messages>(
        send_messages{"acct", queue.empty() ? qid : queue, std::move(ms), caf::none}));
  }

  /// The batches delivered so far, one "queue|body:attempts,..." line each.
  std::vector<std::string> batches() {
    run();
    std::vector<std::string> out;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);)
      out.push_back(line);
    return out;
  }

  queue_stats stats(const std::string& queue = {}) {
    auto s = ask_queue<queue_stats>(get_stats{"acct", queue.empty() ? qid : queue});
    REQUIRE(s);
    return *s;
  }

  void pause(bool paused) {
    settings_patch p;
    p.delivery_paused = paused;
    REQUIRE(ask<storage::queue_record>(hub, update_queue{"acct", qid, p, false, caf::none}));
  }
};

/// The hub with the asynchronous test plugin "parked" as a built-in: its invocations wait
/// (holding no thread) until the test completes them, on the test's own thread.
struct async_push_fixture : push_fixture {
  async_push_fixture() {
    stop();
    auto c = inline_plugins();
    c.builtins = {{"parked", test::parked_builtin()}};
    plugins = std::make_shared<plugin_host>(c);
    start();
    test::parked().clear();
    REQUIRE(ask<storage::script_record>(hub, put_script{"acct", "parked-1", "parked", {}}));
  }
  ~async_push_fixture() override { test::parked().clear(); }

  void add_parked_worker(int64_t batch_size, int64_t max_retries, const std::string& dlq) {
    consumer_patch c;
    c.type = std::string{"worker"};
    c.script_name = std::string{"parked-1"};
    c.batch_size = batch_size;
    c.max_wait_time_ms = int64_t{0};
    c.max_retries = max_retries;
    c.retry_delay = int64_t{0};
    c.dead_letter_queue = dlq;
    REQUIRE(ask<storage::consumer_record>(hub, put_consumer{"acct", qid, "", c}));
  }

  /// The bodies of a parked batch, "body:attempts" joined by ','.
  static std::string bodies(AsyncInvocation& inv) {
    std::string out;
    for (const auto& m : inv.batch().messages())
      out += (out.empty() ? "" : ",") + std::string(m.body()) + ":" + std::to_string(m.attempts());
    return out;
  }
};

} // namespace

TEST_CASE_METHOD(async_push_fixture,
                 "an asynchronous plugin's batch waits until it completes, then settles like "
                 "a return or a throw, up to the dead-letter queue") {
  add_parked_worker(2, 1, "jobs-dlq");
  send({"a", "b", "c"});
  run();
  REQUIRE(test::parked().size() == 1); // concurrency starts at 1
  auto first = test::parked().take();
  CHECK(bodies(*first) == "a:1,b:1");
  run();
  CHECK(test::parked().size() == 0); // still in flight: nothing more goes out
  first->batch().messages()[1].retry({10});
  first->succeed(); // "a" acked, "b" back in 10 s
  run();
  REQUIRE(test::parked().size() == 1);
  auto second = test::parked().take();
  CHECK(bodies(*second) == "c:1");
  second->fail("receiver down"); // retried at once (retry_delay 0)
  run();
  REQUIRE(test::parked().size() == 1);
  auto third = test::parked().take();
  CHECK(bodies(*third) == "c:2");
  third->fail("receiver still down"); // out of retries: dead-lettered
  run();
  advance(10000);
  REQUIRE(test::parked().size() == 1);
  auto fourth = test::parked().take();
  CHECK(bodies(*fourth) == "b:2");
  fourth->succeed();
  run();
  CHECK(stats().backlog_count == 0);
  auto dlq = ask<queue_list>(hub, list_queues{"acct", "jobs-dlq"})->at(0).id;
  auto dead = ask_queue<pulled_batch>(peek_messages{"acct", dlq, int64_t{10}});
  REQUIRE(dead);
  REQUIRE(dead->messages.size() == 1);
  CHECK(dead->messages[0].body == "c");
  REQUIRE(dead->messages[0].dead_letter);
  CHECK(dead->messages[0].dead_letter->last_error == "exception: receiver still down");
}

TEST_CASE_METHOD(async_push_fixture,
                 "a hub stopping while a batch settles or waits leaves no consumer shard running") {
  add_parked_worker(2, 3, "");
  send({"a", "b"});
  run();
  REQUIRE(test::parked().size() == 1);
  auto batch = test::parked().take();
  SECTION("its settle request reaches the coordinator just before the stop") {
    batch->succeed(); // the coordinator takes the request, then ends without answering it
    caf::anon_send_exit(hub, caf::exit_reason::user_shutdown);
    run();
  }
  SECTION("the plugin completes after the stop") {
    caf::anon_send_exit(hub, caf::exit_reason::user_shutdown);
    run();
    batch->succeed(); // nobody is left to settle it: its lease expires
    run();
  }
  batch.reset();
  run();
  CHECK(sys().registry().running() == 0); // what a stopping server waits for
}

TEST_CASE_METHOD(push_fixture, "a worker consumer needs a deployed script, which it then pins") {
  auto missing = add_worker(10, 1000);
  REQUIRE(!missing);
  CHECK(code_of(missing.error()) == errc::script_not_found);
  deploy();
  auto c = add_worker(10, 1000);
  REQUIRE(c);
  CHECK(c->type == storage::consumer_type::worker);
  CHECK(c->script_name == "scripted-1");
  auto in_use = ask<caf::ok_atom>(hub, delete_script{"acct", "scripted-1"});
  REQUIRE(!in_use);
  CHECK(code_of(in_use.error()) == errc::script_in_use);
  REQUIRE(ask<caf::ok_atom>(hub, delete_consumer{"acct", qid, c->id}));
  REQUIRE(ask<caf::ok_atom>(hub, delete_script{"acct", "scripted-1"}));
  auto gone = ask<storage::script_record>(hub, get_script{"acct", "scripted-1"});
  REQUIRE(!gone);
  CHECK(code_of(gone.error()) == errc::script_not_found);
}

TEST_CASE_METHOD(push_fixture, "scripts are checked and survive a restart") {
  auto bad = ask<storage::script_record>(hub, put_script{"acct", "Bad Name", "scripted", {}});
  REQUIRE(!bad);
  CHECK(code_of(bad.error()) == errc::invalid_request);
  auto bad_var =
      ask<storage::script_record>(hub, put_script{"acct", "ok", "scripted", {{"a-b", "1"}}});
  REQUIRE(!bad_var);
  deploy();
  stop();
  start();
  auto s = ask<script_list>(hub, list_scripts{"acct"});
  REQUIRE(s);
  REQUIRE(s->size() == 1);
  CHECK(s->front().plugin == "scripted");
  CHECK(s->front().env == std::vector<std::pair<std::string, std::string>>{{"LOG", log}});
}

TEST_CASE_METHOD(push_fixture,
                 "a full batch goes at once, a partial one after max_wait, never an empty one") {
  deploy();
  REQUIRE(add_worker(3, 5000));
  send({"a", "b", "c", "d"});
  auto got = batches();
  REQUIRE(got.size() == 1);
  CHECK(got[0] == "jobs|a:1,b:1,c:1");
  advance(4999);
  CHECK(batches().size() == 1); // "d" waits for company
  advance(1);
  got = batches();
  REQUIRE(got.size() == 2);
  CHECK(got[1] == "jobs|d:1");
  advance(60000);
  CHECK(batches().size() == 2);      // nothing more: no empty batch
  CHECK(stats().backlog_count == 0); // returned normally: acked
}

TEST_CASE_METHOD(push_fixture,
                 "a throw retries the batch except what was acked, with retry_delay") {
  deploy();
  REQUIRE(add_worker(3, 0, 3, 30));
  send({"ack", "x", "throw"});
  auto got = batches();
  REQUIRE(got.size() == 1);
  CHECK(stats().backlog_count == 2); // "ack" is gone, "x" and "throw" come back
  // docs/operations.md for worker consumers: reads, the ack, the retries, the failed invocation.
  auto series = [this](const std::string& name, std::map<std::string, std::string> labels) {
    labels.emplace("account", "acct");
    labels.emplace("queue", "jobs");
    return test::sample(registry.expose(), name, labels);
  };
  auto ops = [&](const char* action, const char* outcome) {
    return series("sluice_queue_operations_total",
                  {{"action", action}, {"consumer_type", "worker"}, {"outcome", outcome}});
  };
  CHECK(ops("read", "success") == 3);
  CHECK(ops("delete", "success") == 1);
  CHECK(series("sluice_queue_retries_total", {{"consumer_type", "worker"}}) == 2);
  CHECK(series("sluice_queue_lag_seconds_count", {{"consumer_type", "worker"}}) == 3);
  CHECK(series("sluice_consumer_invocation_duration_seconds_count", {}) == 1);
  CHECK(series("sluice_consumer_invocation_failures_total", {}) == 1);
  CHECK(series("sluice_consumer_concurrency", {}) == 1);
  CHECK(series("sluice_consumer_max_concurrency", {}) == 250);
  advance(29999);
  CHECK(batches().size() == 1);
  advance(1);
  got = batches();
  REQUIRE(got.size() == 2);
  CHECK(got[1] == "jobs|x:2,throw:2");
}

TEST_CASE_METHOD(push_fixture,
                 "per-message calls beat batch calls and retry delays come from the call") {
  deploy();
  REQUIRE(add_worker(3, 0, 3, 600));
  send({"retry 10", "ack_all", "y"});
  REQUIRE(batches().size() == 1);
  CHECK(stats().backlog_count == 1); // "ack_all" and "y" acked by the batch call
  advance(10000);
  auto got = batches();
  REQUIRE(got.size() == 2);
  CHECK(got[1] == "jobs|retry 10:2");
}

TEST_CASE_METHOD(push_fixture, "out of retries a message goes to the dead-letter queue") {
  deploy();
  REQUIRE(add_worker(1, 0, 1, 0, "jobs-dlq"));
  send({"retry"});
  auto got = batches();
  REQUIRE(got.size() == 2); // first delivery and the one retry, at once (delay 0)
  CHECK(got[1] == "jobs|retry:2");
  CHECK(stats().backlog_count == 0);
  auto dlq = ask<queue_list>(hub, list_queues{"acct", "jobs-dlq"});
  REQUIRE(dlq);
  REQUIRE(dlq->size() == 1);
  CHECK(stats(dlq->front().id).backlog_count == 1);
}

TEST_CASE_METHOD(push_fixture, "a dead letter carries the last error its plugin reported") {
  deploy();
  REQUIRE(add_worker(2, 0, 1, 0, "jobs-dlq"));
  send({"retry", "throw"});
  auto got = batches();
  REQUIRE(got.size() == 2); // one batch, delivered twice
  CHECK(got[1] == "jobs|retry:2,throw:2");
  CHECK(stats().backlog_count == 0);
  auto dlq = ask<queue_list>(hub, list_queues{"acct", "jobs-dlq"})->at(0).id;
  auto dead = ask_queue<pulled_batch>(peek_messages{"acct", dlq, int64_t{10}});
  REQUIRE(dead);
  REQUIRE(dead->messages.size() == 2);
  for (const auto& m : dead->messages) {
    INFO(m.body);
    REQUIRE(m.dead_letter);
    CHECK(m.dead_letter->queue_id == qid);
    CHECK(m.dead_letter->reason == "retries_exhausted");
    CHECK(m.dead_letter->attempts == 2);
    // The batch threw: every message it retried, explicitly or not, failed with it.
    CHECK(m.dead_letter->last_error == "exception: scripted failure");
  }
}

TEST_CASE_METHOD(push_fixture,
                 "a plugin's last error survives a restart and outlives a later silent attempt") {
  deploy();
  auto worker = add_worker(1, 0, 1, 60, "jobs-dlq"); // one retry, a minute later
  REQUIRE(worker);
  send({"throw"});
  REQUIRE(batches().size() == 1);
  REQUIRE(ask<caf::ok_atom>(hub, delete_consumer{"acct", qid, worker->id}));
  stop();
  start();
  // A pull consumer takes over: its attempt ends with a lease that runs out, no error.
  consumer_patch pull_consumer;
  pull_consumer.type = std::string{"http_pull"};
  pull_consumer.max_retries = int64_t{1};
  pull_consumer.dead_letter_queue = std::string{"jobs-dlq"};
  REQUIRE(ask<storage::consumer_record>(hub, put_consumer{"acct", qid, "", pull_consumer}));
  advance(60000);
  auto leased = ask_queue<pulled_batch>(pull_messages{"acct", qid, int64_t{1}, int64_t{1000}});
  REQUIRE(leased);
  REQUIRE(leased->messages.size() == 1);
  CHECK(leased->messages[0].attempts == 2);
  advance(1000);
  auto dlq = ask<queue_list>(hub, list_queues{"acct", "jobs-dlq"})->at(0).id;
  auto dead = ask_queue<pulled_batch>(peek_messages{"acct", dlq, int64_t{10}});
  REQUIRE(dead);
  REQUIRE(dead->messages.size() == 1);
  CHECK(dead->messages[0].id == leased->messages[0].id);
  REQUIRE(dead->messages[0].dead_letter);
  CHECK(dead->messages[0].dead_letter->last_error == "exception: scripted failure");
}

TEST_CASE_METHOD(push_fixture, "a paused queue delivers nothing and resumes where it left off") {
  deploy();
  REQUIRE(add_worker(2, 0));
  pause(true);
  send({"a", "b", "c"});
  advance(60000);
  CHECK(batches().empty());
  CHECK(stats().backlog_count == 3);
  pause(false);
  auto got = batches();
  REQUIRE(got.size() == 2);
  CHECK(got[0] == "jobs|a:1,b:1");
  CHECK(got[1] == "jobs|c:1");
  CHECK(stats().backlog_count == 0);
}

TEST_CASE_METHOD(push_fixture, "removing the consumer stops delivery, a missing plugin retries") {
  REQUIRE(ask<storage::script_record>(hub, put_script{"acct", "scripted-1", "nowhere", {}}));
  auto c = add_worker(5, 0, 100, 60);
  REQUIRE(c);
  send({"a"});
  run();
  CHECK(stats().backlog_count == 1); // not found: the batch failed and was retried
  REQUIRE(ask<caf::ok_atom>(hub, delete_consumer{"acct", qid, c->id}));
  deploy(); // now the plugin exists, but no consumer runs it
  advance(60000);
  CHECK(batches().empty());
  CHECK(stats().backlog_count == 1);
}

TEST_CASE_METHOD(push_fixture, "a push lease does not outlive a restart") {
  deploy();
  REQUIRE(add_worker(3, 5000));
  send({"d"});
  CHECK(batches().empty()); // leased, waiting for company
  stop();                   // the hub goes down with the batch unsent
  start();
  advance(5000); // delivered after max_wait again, not after the lease's ~16 min
  auto got = batches();
  REQUIRE(got.size() == 1);
  CHECK(got[0] == "jobs|d:2"); // the lost delivery counts
  CHECK(stats().backlog_count == 0);
}
