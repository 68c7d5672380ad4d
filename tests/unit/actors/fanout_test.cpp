// Fan-out queues (docs/api.md "Fan-out", docs/architecture.md): with settings.consumer_mode
// "multi" every consumer gets every message through its own slot of shards, with its own
// retries and dead-letter queue; pulls and acks name their consumer. On the deterministic
// scheduler, over a real RocksDB.
#include <fstream>
#include <set>

#include <catch2/catch.hpp>

#include "queue_fixture.hpp"
#include "tests/metrics_text.hpp"

using namespace sluice;
using test::code_of;
using test::queue_fixture;

namespace {

struct fanout_fixture : queue_fixture {
  std::string fan;

  fanout_fixture() {
    settings_patch s;
    s.consumer_mode = std::string{"multi"};
    auto q = create("fan", s);
    REQUIRE(q);
    CHECK(q->settings.mode == storage::consumer_mode::multi);
    fan = q->id;
  }

  storage::consumer_record add(int64_t max_retries = 3, const std::string& dlq = {}) {
    consumer_patch c;
    c.type = std::string{"http_pull"};
    c.max_retries = max_retries;
    if (!dlq.empty())
      c.dead_letter_queue = dlq;
    auto r = ask<storage::consumer_record>(hub, put_consumer{"acct", fan, "", c});
    REQUIRE(r);
    return *r;
  }

  caf::expected<pulled_batch> try_pull(caf::optional<std::string> consumer, int64_t n = 10,
                                       int64_t visibility_ms = 30000) {
    pull_messages req{"acct", fan, n, visibility_ms};
    req.consumer_id = std::move(consumer);
    return ask_queue<pulled_batch>(std::move(req));
  }

  pulled_batch pull_as(const storage::consumer_record& c, int64_t n = 10,
                       int64_t visibility_ms = 30000) {
    auto r = try_pull(c.id, n, visibility_ms);
    REQUIRE(r);
    return *r;
  }

  caf::expected<ack_result> try_ack(caf::optional<std::string> consumer,
                                    std::vector<std::string> acks,
                                    std::vector<retry_item> retries = {}) {
    ack_messages req{"acct", fan, std::move(acks), std::move(retries)};
    req.consumer_id = std::move(consumer);
    return ask_queue<ack_result>(std::move(req));
  }

  ack_result ack_all(const storage::consumer_record& c, const pulled_batch& b) {
    std::vector<std::string> ids;
    for (const auto& m : b.messages)
      ids.push_back(m.lease_id);
    auto r = try_ack(c.id, ids);
    REQUIRE(r);
    return *r;
  }

  void send_fan(std::vector<std::string> bodies) {
    std::vector<outgoing_message> ms;
    for (auto& b : bodies)
      ms.push_back(text(std::move(b)));
    REQUIRE(send(std::move(ms), caf::none, fan));
  }

  static std::multiset<std::string> bodies(const pulled_batch& b) {
    std::multiset<std::string> out;
    for (const auto& m : b.messages)
      out.insert(m.body);
    return out;
  }

  static std::set<std::string> ids(const pulled_batch& b) {
    std::set<std::string> out;
    for (const auto& m : b.messages)
      out.insert(m.id);
    return out;
  }

  uint64_t backlog() {
    auto s = ask_queue<queue_stats>(get_stats{"acct", fan});
    REQUIRE(s);
    return s->backlog_count;
  }

  /// Each consumer's backlog, by consumer id.
  std::map<std::string, uint64_t> backlogs() {
    auto r = ask_queue<consumer_backlogs>(get_consumer_backlogs{"acct", fan});
    REQUIRE(r);
    std::map<std::string, uint64_t> out;
    for (const auto& c : r->consumers)
      out[c.consumer_id] = c.stats.backlog_count;
    return out;
  }
};

} // namespace

TEST_CASE_METHOD(fanout_fixture, "two pull consumers of a fan-out queue each get every message") {
  auto a = add();
  auto b = add();
  CHECK(a.slot == 0);
  CHECK(b.slot == 1);
  send_fan({"one", "two", "three"});
  auto got_a = pull_as(a);
  auto got_b = pull_as(b);
  CHECK(bodies(got_a) == std::multiset<std::string>{"one", "two", "three"});
  CHECK(bodies(got_b) == bodies(got_a));
  CHECK(ids(got_b) == ids(got_a)); // the copies share the message's id
  CHECK(ids(got_a).size() == 3);
  // Leased by each, so neither sees them again while the leases live.
  CHECK(pull_as(a).messages.empty());
  CHECK(pull_as(b).messages.empty());
}

TEST_CASE_METHOD(fanout_fixture, "an ack by one consumer leaves the message for the other") {
  auto a = add();
  auto b = add();
  send_fan({"x", "y"});
  CHECK(backlog() == 2);
  auto got_a = pull_as(a);
  REQUIRE(ack_all(a, got_a).ack_count == 2);
  CHECK(backlogs() == std::map<std::string, uint64_t>{{a.id, 0}, {b.id, 2}});
  CHECK(backlog() == 2); // the consumer furthest behind still has both
  auto got_b = pull_as(b);
  CHECK(bodies(got_b) == std::multiset<std::string>{"x", "y"});
  REQUIRE(ack_all(b, got_b).ack_count == 2);
  CHECK(backlog() == 0);
  CHECK(backlogs() == std::map<std::string, uint64_t>{{a.id, 0}, {b.id, 0}});
}

TEST_CASE_METHOD(fanout_fixture, "pulls and acks of a fan-out queue name their consumer") {
  auto a = add();
  auto b = add();
  send_fan({"m"});
  auto missing = try_pull(caf::none);
  REQUIRE_FALSE(missing);
  CHECK(code_of(missing.error()) == errc::invalid_request);
  CHECK(to_string(missing.error()).find("consumer_id") != std::string::npos);
  auto unknown = try_pull(std::string{"0123456789abcdef0123456789abcdef"});
  REQUIRE_FALSE(unknown);
  CHECK(code_of(unknown.error()) == errc::consumer_not_found);
  auto no_ack_id = try_ack(caf::none, {"whatever"});
  REQUIRE_FALSE(no_ack_id);
  CHECK(code_of(no_ack_id.error()) == errc::invalid_request);

  // A's lease named as B's: a warning, and A's copy stays leased to A.
  auto got_a = pull_as(a);
  REQUIRE(got_a.messages.size() == 1);
  auto wrong = try_ack(b.id, {got_a.messages[0].lease_id});
  REQUIRE(wrong);
  CHECK(wrong->ack_count == 0);
  REQUIRE(wrong->warnings.size() == 1);
  CHECK(wrong->warnings.begin()->second.find("another consumer") != std::string::npos);
  CHECK(pull_as(b).messages.size() == 1);
}

TEST_CASE_METHOD(fanout_fixture, "a message dead-lettered by two consumers lands twice, each "
                                 "copy naming its consumer") {
  auto a = add(0, "fan-dlq");
  auto b = add(0, "fan-dlq");
  send_fan({"poison"});
  auto first = pull_as(a, 1, 1000).messages.at(0);
  REQUIRE(pull_as(b, 1, 1000).messages.size() == 1);
  advance(1000); // both leases end: no retries left for either
  auto dlq = ask<queue_list>(hub, list_queues{"acct", "fan-dlq"});
  REQUIRE(dlq->size() == 1);
  auto dead = pull(10, 30000, dlq->at(0).id);
  REQUIRE(dead.messages.size() == 2);
  std::set<std::string> named;
  for (const auto& m : dead.messages) {
    CHECK(m.id == first.id);
    CHECK(m.body == "poison");
    REQUIRE(m.dead_letter);
    CHECK(m.dead_letter->queue_id == fan);
    named.insert(m.dead_letter->consumer_id);
  }
  CHECK(named == std::set<std::string>{a.id, b.id});
  CHECK(backlog() == 0);
}

TEST_CASE_METHOD(fanout_fixture, "each consumer keeps its own retry settings") {
  auto a = add(0);
  auto b = add(2);
  send_fan({"flaky"});
  pull_as(a, 1, 1000);
  pull_as(b, 1, 1000);
  advance(1000);
  CHECK(pull_as(a).messages.empty()); // no retries: deleted from A's copy
  auto again = pull_as(b).messages;   // B retries it
  REQUIRE(again.size() == 1);
  CHECK(again[0].attempts == 2);
}

TEST_CASE_METHOD(fanout_fixture, "a consumer added later gets only the messages sent after it") {
  auto a = add();
  send_fan({"before"});
  auto b = add();
  send_fan({"after"});
  CHECK(bodies(pull_as(b)) == std::multiset<std::string>{"after"});
  CHECK(bodies(pull_as(a)) == std::multiset<std::string>{"before", "after"});
}

TEST_CASE_METHOD(fanout_fixture, "the first consumer inherits what was sent while there was none") {
  send_fan({"early"});
  auto a = add();
  CHECK(a.slot == 0);
  CHECK(bodies(pull_as(a)) == std::multiset<std::string>{"early"});
}

TEST_CASE_METHOD(fanout_fixture, "a restart recovers every consumer's copy") {
  auto a = add();
  auto b = add();
  send_fan({"kept"});
  REQUIRE(pull_as(a).messages.size() == 1); // A's lease survives the restart too
  stop();
  start();
  auto q = ask<storage::queue_record>(hub, get_queue{"acct", fan});
  REQUIRE(q);
  CHECK(q->settings.mode == storage::consumer_mode::multi);
  REQUIRE(q->consumers.size() == 2);
  CHECK(backlog() == 1);
  CHECK(bodies(pull_as(b)) == std::multiset<std::string>{"kept"});
  CHECK(pull_as(a).messages.empty());
  advance(30000); // A's lease ends
  CHECK(bodies(pull_as(a)) == std::multiset<std::string>{"kept"});
}

TEST_CASE_METHOD(fanout_fixture, "removing a consumer drops its copy, its slot's next consumer "
                                 "starts empty") {
  auto a = add();
  auto b = add();
  send_fan({"one", "two"});
  REQUIRE(ask<caf::ok_atom>(hub, delete_consumer{"acct", fan, b.id}));
  run();
  CHECK(backlogs() == std::map<std::string, uint64_t>{{a.id, 2}});
  auto gone = try_pull(b.id);
  REQUIRE_FALSE(gone);
  CHECK(code_of(gone.error()) == errc::consumer_not_found);
  auto c = add();
  CHECK(c.slot == 1);
  CHECK(pull_as(c).messages.empty());
  send_fan({"three"});
  CHECK(bodies(pull_as(c)) == std::multiset<std::string>{"three"});
  CHECK(pull_as(a).messages.size() == 3);
  stop();
  start();
  CHECK(backlogs().count(c.id) == 1);
}

TEST_CASE_METHOD(fanout_fixture, "a send answers once every copy is stored, with the largest "
                                 "backlog") {
  add();
  add();
  send_fan({"a", "b"});
  auto s = send({text("c")}, caf::none, fan);
  REQUIRE(s);
  CHECK(s->backlog_count >= 2);
  CHECK(backlog() == 3);
}

TEST_CASE_METHOD(fanout_fixture, "each consumer's backlog is a gauge") {
  auto a = add();
  auto b = add();
  send_fan({"x"});
  pull_as(a); // leased: still in A's backlog
  run();
  auto gauge = [&](const std::string& consumer) {
    return test::sample(registry.expose(), "sluice_queue_consumer_backlog_messages",
                        {{"account", "acct"}, {"consumer", consumer}, {"queue", "fan"}});
  };
  CHECK(gauge(a.id) == 1);
  CHECK(gauge(b.id) == 1);
  REQUIRE(ask<caf::ok_atom>(hub, delete_consumer{"acct", fan, b.id}));
  run();
  CHECK(gauge(b.id) == -1); // its series went with it
}

TEST_CASE_METHOD(fanout_fixture, "single mode is unchanged and the mode is checked") {
  // The default queue of the fixture: one consumer, a second is a conflict.
  add_consumer(3, "");
  consumer_patch c;
  c.type = std::string{"http_pull"};
  auto second = ask<storage::consumer_record>(hub, put_consumer{"acct", qid, "", c});
  REQUIRE_FALSE(second);
  CHECK(code_of(second.error()) == errc::consumer_exists);
  CHECK(to_string(second.error()).find("consumer_mode") != std::string::npos);
  // Pull and ack need no consumer_id there.
  REQUIRE(send({text("s")}));
  CHECK(pull().messages.size() == 1);
  auto single = ask_queue<consumer_backlogs>(get_consumer_backlogs{"acct", qid});
  REQUIRE(single);
  CHECK(single->consumers.empty());

  settings_patch bad;
  bad.consumer_mode = std::string{"many"};
  auto refused = create("bad-mode", bad);
  REQUIRE_FALSE(refused);
  CHECK(code_of(refused.error()) == errc::invalid_request);
  CHECK(to_string(refused.error()).find("settings.consumer_mode") != std::string::npos);

  // Back to single only with at most one consumer.
  add();
  add();
  settings_patch to_single;
  to_single.consumer_mode = std::string{"single"};
  auto conflict =
      ask<storage::queue_record>(hub, update_queue{"acct", fan, to_single, false, caf::none});
  REQUIRE_FALSE(conflict);
  CHECK(code_of(conflict.error()) == errc::consumer_exists);
  // A PUT that does not name the mode keeps it.
  auto put =
      ask<storage::queue_record>(hub, update_queue{"acct", fan, settings_patch{}, true, caf::none});
  REQUIRE(put);
  CHECK(put->settings.mode == storage::consumer_mode::multi);
}

namespace {

/// The batches the test-only "scripted" plugin logged (tests/unit/plugins/scripted_plugin.cpp).
std::vector<std::string> logged(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

} // namespace

TEST_CASE_METHOD(fanout_fixture, "a worker and a pull consumer of a fan-out queue each get every "
                                 "message, a failing worker retries only its own copy") {
  auto log = dir.path() + "/fan.log";
  REQUIRE(
      ask<storage::script_record>(hub, put_script{"acct", "pusher", "scripted", {{"LOG", log}}}));
  auto puller = add(); // slot 0
  consumer_patch w;
  w.type = std::string{"worker"};
  w.script_name = std::string{"pusher"};
  w.batch_size = int64_t{10};
  w.max_wait_time_ms = int64_t{0};
  w.retry_delay = int64_t{60};
  auto worker = ask<storage::consumer_record>(hub, put_consumer{"acct", fan, "", w});
  REQUIRE(worker);
  CHECK(worker->slot == 1);
  send_fan({"fine", "throw"});
  run();
  auto batches = logged(log);
  REQUIRE(batches.size() == 1);
  CHECK(batches[0].find("fine:1") != std::string::npos);
  CHECK(batches[0].find("throw:1") != std::string::npos);
  // The worker threw: its copies come back in 60 s; the pull consumer's are untouched.
  CHECK(backlogs() == std::map<std::string, uint64_t>{{puller.id, 2}, {worker->id, 2}});
  auto pulled = pull_as(puller);
  CHECK(bodies(pulled) == std::multiset<std::string>{"fine", "throw"});
  REQUIRE(ack_all(puller, pulled).ack_count == 2);
  advance(60000);
  REQUIRE(logged(log).size() == 2);
  CHECK(logged(log)[1].find(":2") != std::string::npos); // the worker's second attempt
  CHECK(backlogs().at(puller.id) == 0);
}

TEST_CASE_METHOD(fanout_fixture, "a purge empties every copy, a pause holds every consumer") {
  auto a = add();
  auto b = add();
  send_fan({"one", "two"});
  auto purged = ask<purge_status>(hub, purge_queue{"acct", fan});
  REQUIRE(purged);
  CHECK(purged->completed);
  CHECK(backlogs() == std::map<std::string, uint64_t>{{a.id, 0}, {b.id, 0}});
  CHECK(backlog() == 0);

  settings_patch pause;
  pause.delivery_paused = true;
  REQUIRE(ask<storage::queue_record>(hub, update_queue{"acct", fan, pause, false, caf::none}));
  send_fan({"held"});
  for (const auto& c : {a, b}) {
    auto paused = try_pull(c.id);
    REQUIRE_FALSE(paused);
    CHECK(code_of(paused.error()) == errc::queue_paused);
  }
  pause.delivery_paused = false;
  REQUIRE(ask<storage::queue_record>(hub, update_queue{"acct", fan, pause, false, caf::none}));
  CHECK(bodies(pull_as(b)) == std::multiset<std::string>{"held"});
}

TEST_CASE_METHOD(fanout_fixture, "a consumer's long poll waits on its own copy, and a drain "
                                 "releases it") {
  auto a = add();
  auto b = add();
  auto c = queues->find("acct", fan);
  REQUIRE(c);
  auto long_poll = [&](const std::string& consumer) {
    pull_messages req{"acct", fan, int64_t{10}, int64_t{30000}, int64_t{5000}};
    req.consumer_id = consumer;
    return ask_later<pulled_batch>(*c, std::move(req));
  };
  auto waiting_b = long_poll(b.id);
  CHECK_FALSE(*waiting_b);
  send_fan({"wake"});
  REQUIRE(*waiting_b);
  REQUIRE(**waiting_b);
  CHECK((**waiting_b)->messages.size() == 1);
  REQUIRE(ack_all(b, **(*waiting_b)).ack_count == 1);
  auto again_b = long_poll(b.id); // B's copy is empty now, A's is not
  CHECK_FALSE(*again_b);
  caf::anon_send(*c, release_waiting_pulls{});
  run();
  REQUIRE(*again_b);
  REQUIRE(**again_b);
  CHECK((**again_b)->messages.empty());
  CHECK(pull_as(a).messages.size() == 1);
}

TEST_CASE_METHOD(fanout_fixture, "a redrive puts each dead-lettered copy back for the consumer "
                                 "that dead-lettered it") {
  auto a = add(0, "fan-dlq");
  auto b = add(0, "fan-dlq");
  send_fan({"poison"});
  REQUIRE(pull_as(a, 1, 1000).messages.size() == 1);
  REQUIRE(pull_as(b, 1, 1000).messages.size() == 1);
  advance(1000); // both copies dead-lettered, each naming its consumer
  auto dlq = ask<queue_list>(hub, list_queues{"acct", "fan-dlq"});
  REQUIRE(dlq->size() == 1);
  auto task = ask<storage::redrive_record>(
      hub, start_redrive{"acct", dlq->at(0).id, caf::none, caf::none, "tester"});
  REQUIRE(task);
  run();
  auto done = ask<storage::redrive_record>(hub, get_redrive{"acct", dlq->at(0).id});
  REQUIRE(done);
  CHECK(done->state == storage::redrive_state::completed);
  CHECK(done->moved == 2);
  // One copy back for each consumer, not two for each.
  auto for_a = pull_as(a);
  auto for_b = pull_as(b);
  REQUIRE(for_a.messages.size() == 1);
  REQUIRE(for_b.messages.size() == 1);
  CHECK(for_a.messages[0].body == "poison");
  CHECK(for_a.messages[0].attempts == 1);
  CHECK(for_b.messages[0].id == for_a.messages[0].id);
}
