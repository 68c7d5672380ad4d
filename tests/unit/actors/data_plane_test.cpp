#include <catch2/catch.hpp>

#include "queue_fixture.hpp"

using namespace sluice;
using test::code_of;
using test::queue_fixture;

TEST_CASE_METHOD(queue_fixture, "a sent message is pulled once while its lease lives") {
  auto stats = send({text("a")});
  REQUIRE(stats);
  CHECK(stats->backlog_count == 1);
  CHECK(stats->backlog_bytes == 1);
  CHECK(stats->oldest_message_timestamp_ms == clock);
  auto b = pull();
  REQUIRE(b.messages.size() == 1);
  CHECK(b.messages[0].body == "a");
  CHECK(b.messages[0].attempts == 1);
  CHECK(b.messages[0].timestamp_ms == clock);
  CHECK(b.messages[0].id.size() == 32);
  CHECK(pull().messages.empty()); // leased
  advance(29'999);
  CHECK(pull().messages.empty());
  advance(1);
  auto again = pull();
  REQUIRE(again.messages.size() == 1);
  CHECK(again.messages[0].attempts == 2);
  CHECK(again.messages[0].lease_id != b.messages[0].lease_id);
}

TEST_CASE_METHOD(queue_fixture, "acked messages are gone, unknown and forged leases warn") {
  REQUIRE(send({text("a"), text("b")}));
  auto b = pull();
  REQUIRE(b.messages.size() == 2);
  auto r = settle({b.messages[0].lease_id, "forged"});
  CHECK(r.ack_count == 1);
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings.count("forged") == 1);
  auto twice = settle({b.messages[0].lease_id});
  CHECK(twice.ack_count == 0);
  CHECK(twice.warnings.size() == 1);
  advance(30'000);
  auto left = pull();
  REQUIRE(left.messages.size() == 1);
  CHECK(left.messages[0].body == b.messages[1].body);
}

TEST_CASE_METHOD(queue_fixture, "a late ack after the lease expired is still accepted") {
  REQUIRE(send({text("a")}));
  auto first = pull(1, 1000).messages.at(0);
  advance(1000);
  auto second = pull(1, 1000).messages.at(0);
  CHECK(second.attempts == 2);
  CHECK(settle({first.lease_id}).ack_count == 1); // stale generation, message exists
  advance(5000);
  CHECK(pull().messages.empty());
}

TEST_CASE_METHOD(queue_fixture, "delays: message beats batch beats queue, explicit 0 means none") {
  settings_patch s;
  s.delivery_delay = 100;
  REQUIRE(ask<storage::queue_record>(hub, update_queue{"acct", qid, s, false, caf::none}));
  REQUIRE(send({text("queue-delay")}));
  REQUIRE(send({text("batch-delay"), text("own-zero", int64_t{0})}, int64_t{10}));
  auto now = pull();
  REQUIRE(now.messages.size() == 1);
  CHECK(now.messages[0].body == "own-zero");
  settle({now.messages[0].lease_id});
  advance(10'000);
  auto later = pull();
  REQUIRE(later.messages.size() == 1);
  CHECK(later.messages[0].body == "batch-delay");
  settle({later.messages[0].lease_id});
  advance(90'000);
  auto last = pull();
  REQUIRE(last.messages.size() == 1);
  CHECK(last.messages[0].body == "queue-delay");
}

TEST_CASE_METHOD(queue_fixture, "out-of-range delays are refused naming the field") {
  auto r = send({text("x", int64_t{86401})});
  REQUIRE_FALSE(r);
  CHECK(code_of(r.error()) == errc::invalid_request);
  CHECK(error_message(r.error()).find("delay_seconds") != std::string::npos);
  CHECK_FALSE(send({text("x")}, int64_t{-1}));
}

TEST_CASE_METHOD(queue_fixture, "a retry with a delay hides the message until then") {
  REQUIRE(send({text("a")}));
  auto m = pull().messages.at(0);
  auto r = settle({}, {retry_item{m.lease_id, int64_t{5}}});
  CHECK(r.retry_count == 1);
  advance(4999);
  CHECK(pull().messages.empty());
  advance(1);
  auto again = pull().messages.at(0);
  CHECK(again.attempts == 2);
}

TEST_CASE_METHOD(queue_fixture, "after max_retries a message moves to the dead-letter queue") {
  add_consumer(1, "jobs-dlq");
  auto sent_at = clock;
  REQUIRE(send({text("poison")}));
  auto first = pull(1, 1000).messages.at(0);
  advance(1000); // lease expired: attempt 1 failed, one retry left
  auto second = pull(1, 1000).messages.at(0);
  CHECK(second.attempts == 2);
  advance(10);
  REQUIRE(settle({}, {retry_item{second.lease_id, caf::none}}).retry_count == 1);
  CHECK(pull().messages.empty());
  auto dlq = ask<queue_list>(hub, list_queues{"acct", "jobs-dlq"});
  REQUIRE(dlq->size() == 1);
  auto dead = pull(10, 30000, dlq->at(0).id);
  REQUIRE(dead.messages.size() == 1);
  CHECK(dead.messages[0].body == "poison");
  CHECK(dead.messages[0].timestamp_ms == sent_at);
  CHECK(dead.messages[0].attempts == 1);
  CHECK(dead.messages[0].id == first.id);
}

TEST_CASE_METHOD(queue_fixture,
                 "a dead letter keeps its id and names its source and reason, across a restart") {
  add_consumer(0, "jobs-dlq");
  auto consumer = ask<storage::queue_record>(hub, get_queue{"acct", qid})->consumers.at(0);
  REQUIRE(send({text("poison"), text("fine")}));
  auto b = pull(2, 1000);
  REQUIRE(b.messages.size() == 2);
  auto poison = b.messages[0].body == "poison" ? b.messages[0] : b.messages[1];
  auto fine = b.messages[0].body == "poison" ? b.messages[1] : b.messages[0];
  CHECK_FALSE(poison.dead_letter); // a message sent here has no origin
  REQUIRE(settle({fine.lease_id}).ack_count == 1);
  advance(1000); // its one delivery's lease ends: no retries left
  auto moved_at = clock;
  auto dlq_id = ask<queue_list>(hub, list_queues{"acct", "jobs-dlq"})->at(0).id;

  auto check_origin = [&](const pulled_message& m, uint32_t attempts) {
    CHECK(m.id == poison.id);
    CHECK(m.body == "poison");
    CHECK(m.attempts == attempts);
    REQUIRE(m.dead_letter);
    CHECK(m.dead_letter->queue_id == qid);
    CHECK(m.dead_letter->queue_name == "jobs");
    CHECK(m.dead_letter->consumer_id == consumer.id);
    CHECK(m.dead_letter->reason == "retries_exhausted");
    CHECK(m.dead_letter->last_error.empty()); // a pull consumer reports none
    CHECK(m.dead_letter->attempts == 1);
    CHECK(m.dead_letter->dead_lettered_ms == moved_at);
  };
  auto peeked = ask_queue<pulled_batch>(peek_messages{"acct", dlq_id, int64_t{10}});
  REQUIRE(peeked);
  REQUIRE(peeked->messages.size() == 1);
  check_origin(peeked->messages[0], 0);
  auto dead = pull(10, 1000, dlq_id);
  REQUIRE(dead.messages.size() == 1);
  check_origin(dead.messages[0], 1);
  CHECK(dead.messages[0].lease_id != poison.lease_id);

  stop();
  start();
  advance(1000); // the dead-letter queue's lease ends
  auto again = pull(10, 1000, dlq_id);
  REQUIRE(again.messages.size() == 1);
  check_origin(again.messages[0], 2);
  // The kept id is only shown: the message is settled by its lease in the dead-letter queue.
  auto r = ask_queue<ack_result>(ack_messages{"acct", dlq_id, {again.messages[0].lease_id}, {}});
  REQUIRE(r);
  CHECK(r->ack_count == 1);
  CHECK(ask_queue<queue_stats>(get_stats{"acct", dlq_id})->backlog_count == 0);
}

TEST_CASE_METHOD(queue_fixture,
                 "a dead letter dead-lettered again keeps its first id and names its last queue") {
  add_consumer(0, "jobs-dlq");
  REQUIRE(send({text("twice")}));
  auto first = pull(1, 1000).messages.at(0);
  advance(1000);
  auto dlq_id = ask<queue_list>(hub, list_queues{"acct", "jobs-dlq"})->at(0).id;
  consumer_patch c;
  c.type = std::string{"http_pull"};
  c.max_retries = int64_t{0};
  c.dead_letter_queue = std::string{"graveyard"};
  REQUIRE(ask<storage::consumer_record>(hub, put_consumer{"acct", dlq_id, "", c}));
  auto second = pull(1, 1000, dlq_id).messages.at(0);
  CHECK(second.id == first.id);
  advance(1000);
  auto grave = ask<queue_list>(hub, list_queues{"acct", "graveyard"})->at(0).id;
  auto last = pull(1, 1000, grave).messages.at(0);
  CHECK(last.id == first.id);
  REQUIRE(last.dead_letter);
  CHECK(last.dead_letter->queue_id == dlq_id);
  CHECK(last.dead_letter->queue_name == "jobs-dlq");
}

TEST_CASE_METHOD(queue_fixture, "without a dead-letter queue exhausted messages are deleted") {
  add_consumer(0, "");
  REQUIRE(send({text("x")}));
  pull(1, 1000);
  advance(1000);
  CHECK(pull().messages.empty());
  CHECK(ask_queue<queue_stats>(get_stats{"acct", qid})->backlog_count == 0);
}

TEST_CASE_METHOD(queue_fixture, "retention deletes old messages, paused or not") {
  settings_patch s;
  s.message_retention_period = 60;
  s.delivery_paused = true;
  REQUIRE(ask<storage::queue_record>(hub, update_queue{"acct", qid, s, false, caf::none}));
  REQUIRE(send({text("old")}));
  auto paused = ask_queue<pulled_batch>(pull_messages{"acct", qid, caf::none, caf::none});
  REQUIRE_FALSE(paused);
  CHECK(code_of(paused.error()) == errc::queue_paused);
  advance(61'000);
  advance(1000);
  CHECK(ask_queue<queue_stats>(get_stats{"acct", qid})->backlog_count == 0);
}

TEST_CASE_METHOD(queue_fixture, "messages and leases survive a restart") {
  REQUIRE(send({text("kept"), text("leased"), text("acked")}));
  auto b = pull(3, 10'000);
  REQUIRE(b.messages.size() == 3);
  for (const auto& m : b.messages) {
    if (m.body == "acked")
      settle({m.lease_id});
    if (m.body == "kept")
      settle({}, {retry_item{m.lease_id, int64_t{0}}});
  }
  stop();
  start();
  auto after = pull();
  REQUIRE(after.messages.size() == 1);
  CHECK(after.messages[0].body == "kept");
  CHECK(after.messages[0].attempts == 2);
  advance(10'000); // the lease in flight at the "crash" ends at its deadline
  auto leased = pull();
  REQUIRE(leased.messages.size() == 1);
  CHECK(leased.messages[0].body == "leased");
  CHECK(leased.messages[0].attempts == 2);
}

TEST_CASE_METHOD(queue_fixture,
                 "a delay survives a restart, an undelayed message is ready at once") {
  // Only the delayed message gets a state record at send time.
  REQUIRE(send({text("now"), text("later", int64_t{60})}));
  stop();
  start();
  auto b = pull();
  REQUIRE(b.messages.size() == 1);
  CHECK(b.messages[0].body == "now");
  CHECK(b.messages[0].attempts == 1);
  settle({b.messages[0].lease_id});
  advance(59'000);
  CHECK(pull().messages.empty());
  advance(1'000);
  auto later = pull();
  REQUIRE(later.messages.size() == 1);
  CHECK(later.messages[0].body == "later");
  CHECK(later.messages[0].attempts == 1);
}

TEST_CASE_METHOD(queue_fixture, "purge deletes delayed messages, peek refs delete one message") {
  REQUIRE(send({text("a"), text("b", int64_t{100})}));
  auto peeked = ask_queue<pulled_batch>(peek_messages{"acct", qid, int64_t{10}});
  REQUIRE(peeked->messages.size() == 2);
  auto del = ask_queue<ack_result>(delete_refs{"acct", qid, {peeked->messages[0].lease_id}});
  CHECK(del->ack_count == 1);
  // A peek ref is not a lease id.
  CHECK(settle({peeked->messages[1].lease_id}).warnings.size() == 1);
  auto purged = ask<purge_status>(hub, purge_queue{"acct", qid});
  REQUIRE(purged);
  CHECK(purged->completed);
  CHECK(purged->started_ms == clock);
  CHECK(ask_queue<queue_stats>(get_stats{"acct", qid})->backlog_count == 0);
}

TEST_CASE_METHOD(queue_fixture, "purge deletes leased messages too, their late acks get warnings") {
  REQUIRE(send({text("in-flight"), text("waiting")}));
  auto b = pull(1, 10'000);
  REQUIRE(b.messages.size() == 1);
  REQUIRE(ask<purge_status>(hub, purge_queue{"acct", qid}));
  CHECK(ask_queue<queue_stats>(get_stats{"acct", qid})->backlog_count == 0);
  auto late = settle({b.messages[0].lease_id});
  CHECK(late.ack_count == 0);
  CHECK(late.warnings.size() == 1);
  advance(10'000); // the lease would have ended: nothing comes back
  CHECK(pull().messages.empty());
}

TEST_CASE_METHOD(queue_fixture, "data-plane calls are scoped to the queue's account") {
  auto r = ask_queue<sent_messages>(send_messages{"intruder", qid, {text("x")}, caf::none});
  REQUIRE_FALSE(r);
  CHECK(code_of(r.error()) == errc::queue_not_found);
}

namespace {

/// A queue whose shards keep at most 4 messages in memory.
struct small_window_fixture : queue_fixture {
  small_window_fixture() {
    stop();
    window = 4;
    start();
  }

  /// Pulls and acks until empty; returns bodies in the order seen.
  std::vector<std::string> drain() {
    std::vector<std::string> out;
    for (;;) {
      auto b = pull(100);
      if (b.messages.empty())
        return out;
      CHECK(b.messages.size() <= 4); // one shard holds the batch: at most its window
      std::vector<std::string> acks;
      for (auto& m : b.messages) {
        out.push_back(m.body);
        acks.push_back(m.lease_id);
      }
      REQUIRE(settle(acks).ack_count == acks.size());
    }
  }
};

std::vector<outgoing_message> numbered(int from, int to) {
  std::vector<outgoing_message> out;
  for (int i = from; i < to; ++i)
    out.push_back(
        {std::to_string(i), static_cast<uint8_t>(storage::content_type::text), caf::none});
  return out;
}

} // namespace

TEST_CASE_METHOD(small_window_fixture, "a shard pages messages beyond its window in, in order") {
  auto stats = send(numbered(0, 10));
  REQUIRE(stats);
  CHECK(stats->backlog_count == 10); // cold messages count
  CHECK(stats->backlog_bytes == 10);
  auto first = pull(100);
  CHECK(first.messages.size() == 4); // only the window is in memory
  CHECK(first.stats.backlog_count == 10);
  std::vector<std::string> acks;
  for (auto& m : first.messages)
    acks.push_back(m.lease_id);
  settle(acks); // the window drains: the next page comes in
  auto rest = drain();
  std::vector<std::string> expected;
  for (int i = 4; i < 10; ++i)
    expected.push_back(std::to_string(i));
  CHECK(rest == expected);
  CHECK(ask_queue<queue_stats>(get_stats{"acct", qid})->backlog_count == 0);
}

TEST_CASE_METHOD(
    small_window_fixture,
    "a run settled before a restart stays deleted when a smaller window pages over it") {
  stop();
  window = 100;
  start();
  REQUIRE(send(numbered(0, 16))); // one shard takes the batch
  auto b = pull(100, 1000);
  REQUIRE(b.messages.size() == 16);
  std::vector<std::string> acks;
  for (size_t i = 4; i < 12; ++i)
    acks.push_back(b.messages[i].lease_id);
  REQUIRE(settle(acks).ack_count == 8); // one range deletion per family (storage/rocksdb)
  stop();
  window = 2; // 0 and 1 in memory; 2, 3 and 12..15 cold, the deleted run among them
  start();
  advance(2000); // the other leases ran out
  std::vector<std::string> expected{"0", "1", "2", "3", "12", "13", "14", "15"};
  CHECK(drain() == expected);
}

TEST_CASE_METHOD(small_window_fixture, "cold messages survive a restart and a purge removes them") {
  REQUIRE(send(numbered(0, 10)));
  stop();
  start();
  CHECK(ask_queue<queue_stats>(get_stats{"acct", qid})->backlog_count == 10);
  CHECK(drain().size() == 10);
  REQUIRE(send(numbered(10, 20)));
  REQUIRE(ask<purge_status>(hub, purge_queue{"acct", qid}));
  CHECK(ask_queue<queue_stats>(get_stats{"acct", qid})->backlog_count == 0);
  stop();
  start();
  CHECK(ask_queue<queue_stats>(get_stats{"acct", qid})->backlog_count == 0);
  CHECK(pull().messages.empty());
}
