#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "storage/memory/memory_backend.hpp"
#include "storage/rocksdb/rocksdb_backend.hpp"
#include "tests/temp_dir.hpp"
#include "tests/unit/storage/store_envs.hpp"
#include "tests/unit/storage/store_helpers.hpp"

// The contract of storage/message_store.hpp and storage/meta_store.hpp, run
// against every backend: what passes here against memory_backend holds for
// the production RocksDB backend too.

using namespace sluice::storage;
using namespace sluice::test;

namespace {

void check_message(const recovered_message& got, const new_message& want) {
  CHECK(got.seq == want.seq);
  CHECK(got.message.timestamp_ms == want.message.timestamp_ms);
  CHECK(got.message.type == want.message.type);
  CHECK(got.message.body == want.message.body);
}

void check_state(const delivery_state& got, const delivery_state& want) {
  CHECK(got.attempts == want.attempts);
  CHECK(got.visible_at_ms == want.visible_at_ms);
  CHECK(got.pushed == want.pushed);
  CHECK(got.last_error == want.last_error);
}

/// Five messages of bodies of 1..5 bytes.
std::vector<new_message> five() {
  std::vector<new_message> out;
  for (uint64_t seq = 1; seq <= 5; ++seq)
    out.push_back(msg(seq, std::string(seq, 'x')));
  return out;
}

} // namespace

TEMPLATE_TEST_CASE("append then recover returns the messages in order", "[store]", memory_env,
                   rocksdb_env) {
  TestType env;
  auto store = env.get().messages(queue_a, 0);
  std::vector<new_message> sent = {msg(1, "{\"a\":1}"), msg(2, "plain", 0, content_type::text),
                                   msg(3, std::string("\0\x01\xff", 3), 0, content_type::bytes)};
  REQUIRE(append(*store, {sent[0], sent[1]}));
  REQUIRE(append(*store, {sent[2]}));
  auto r = recover(*store, 10);
  REQUIRE(r);
  REQUIRE(r->loaded.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    check_message(r->loaded[i], sent[i]);
    check_state(r->loaded[i].state, delivery_state{});
  }
  CHECK(r->cold_count == 0);
  CHECK(r->cold_bytes == 0);
  CHECK(r->last_seq == 3);
}

TEMPLATE_TEST_CASE("an empty shard recovers as empty", "[store]", memory_env, rocksdb_env) {
  TestType env;
  auto store = env.get().messages(queue_a, 0);
  auto r = recover(*store, 10);
  REQUIRE(r);
  CHECK(r->loaded.empty());
  CHECK(r->cold_count == 0);
  CHECK(r->last_seq == 0);
  auto p = page(*store, 0, 100, 10);
  REQUIRE(p);
  CHECK(p->empty());
}

TEMPLATE_TEST_CASE("delayed appends recover their visible_at", "[store]", memory_env, rocksdb_env) {
  TestType env;
  auto store = env.get().messages(queue_a, 0);
  REQUIRE(append(*store, {msg(1, "now"), msg(2, "later", 50'000)}));
  auto r = recover(*store, 10);
  REQUIRE(r);
  REQUIRE(r->loaded.size() == 2);
  check_state(r->loaded[0].state, delivery_state{});
  check_state(r->loaded[1].state, delivery_state{0, 50'000, false});
}

TEMPLATE_TEST_CASE("lease stores the state and settle removes acked and dead-lettered", "[store]",
                   memory_env, rocksdb_env) {
  TestType env;
  auto store = env.get().messages(queue_a, 0);
  REQUIRE(append(*store, {msg(1, "a"), msg(2, "b"), msg(3, "c"), msg(4, "d")}));
  REQUIRE(lease(*store, {{1, {1, 9000, true}}, {2, {1, 9000, false}}, {3, {2, 9500, true}}}));

  auto leased = recover(*store, 10);
  REQUIRE(leased);
  REQUIRE(leased->loaded.size() == 4);
  check_state(leased->loaded[0].state, {1, 9000, true});
  check_state(leased->loaded[1].state, {1, 9000, false});
  check_state(leased->loaded[2].state, {2, 9500, true});
  check_state(leased->loaded[3].state, {});

  settle_messages cmd;
  cmd.acked = {1};
  cmd.retried = {{2, {1, 20'000, false}}};
  cmd.dead_lettered = {3};
  REQUIRE(settle(*store, cmd));
  auto settled = recover(*store, 10);
  REQUIRE(settled);
  CHECK(seqs_of(settled->loaded) == std::vector<uint64_t>{2, 4});
  check_state(settled->loaded[0].state, {1, 20'000, false});
  CHECK(settled->last_seq == 4);
}

TEMPLATE_TEST_CASE("a kept id, a dead-letter origin and a last error are read back", "[store]",
                   memory_env, rocksdb_env) {
  TestType env;
  {
    auto store = env.get().messages(queue_a, 0);
    auto dead = msg(2, "dead");
    dead.message.id = "kept";
    dead.message.dead_letter =
        dead_letter_origin{queue_b, "orders", "c1", "retries_exhausted", "exception: x", 4, 77};
    REQUIRE(append(*store, {msg(1, "plain"), dead, msg(3, "cold")}));
    REQUIRE(lease(*store, {{1, {1, 9000, true, "timeout after 5 ms"}}}));
  }
  env.restart();
  auto store = env.get().messages(queue_a, 0);

  auto r = recover(*store, 2);
  REQUIRE(r);
  REQUIRE(r->loaded.size() == 2);
  CHECK(r->loaded[0].message.id.empty());
  CHECK_FALSE(r->loaded[0].message.dead_letter);
  CHECK(r->loaded[0].state.last_error == "timeout after 5 ms");
  CHECK(r->loaded[1].message.id == "kept");
  CHECK(r->loaded[1].message.body == "dead");
  REQUIRE(r->loaded[1].message.dead_letter);
  CHECK(r->loaded[1].message.dead_letter->queue_id == queue_b);
  CHECK(r->loaded[1].message.dead_letter->last_error == "exception: x");
  CHECK(r->loaded[1].message.dead_letter->attempts == 4);
  CHECK(r->loaded[1].state.last_error.empty());
  CHECK(r->cold_count == 1);
  CHECK(r->cold_bytes == 4);

  auto p = page(*store, 1, 4, 10);
  REQUIRE(p);
  REQUIRE(p->size() == 3);
  CHECK(p->at(1).message.id == "kept");
  REQUIRE(p->at(1).message.dead_letter);
  CHECK(p->at(1).message.dead_letter->dead_lettered_ms == 77);
  // Counted cold by its body alone, whatever its record carries besides.
  auto all_cold = recover(*store, 0);
  REQUIRE(all_cold);
  CHECK(all_cold->cold_bytes == 5 + 4 + 4);
}

TEMPLATE_TEST_CASE("remove and expire delete, a missing seq is no error", "[store]", memory_env,
                   rocksdb_env) {
  TestType env;
  auto store = env.get().messages(queue_a, 0);
  REQUIRE(append(*store, {msg(1, "a"), msg(2, "b"), msg(3, "c")}));
  REQUIRE(lease(*store, {{1, {1, 5, false}}}));
  REQUIRE(remove(*store, {1, 99}));
  REQUIRE(expire(*store, {2, 98}));
  CHECK(stored_seqs(*store) == std::vector<uint64_t>{3});
}

TEMPLATE_TEST_CASE("settle deletes runs of consecutive seqs and lone ones alike, in any order",
                   "[store]", memory_env, rocksdb_env) {
  TestType env;
  auto store = env.get().messages(queue_a, 0);
  auto other = env.get().messages(queue_a, 1);
  std::vector<new_message> msgs;
  for (uint64_t seq = 1; seq <= 20; ++seq)
    msgs.push_back(msg(seq, "m", seq == 12 ? 777 : 0));
  REQUIRE(append(*store, msgs));
  REQUIRE(append(*other, msgs)); // the same seqs in the next shard stay
  std::vector<state_change> leases;
  for (uint64_t seq = 1; seq <= 16; ++seq)
    leases.push_back({seq, {1, 9000, seq % 2 == 0}});
  REQUIRE(lease(*store, leases));

  // The store deletes runs of four or more as ranges (storage/rocksdb):
  // 3..7 (given out of order, 5 twice), 13..16 (exactly four), and lone or
  // short ones (1, 2 and 10) one by one.
  settle_messages cmd;
  cmd.acked = {7, 3, 4, 5, 5, 6, 10, 13, 14, 15, 16};
  cmd.retried = {{11, {2, 20'000, false}}};
  cmd.dead_lettered = {2, 1};
  REQUIRE(settle(*store, cmd));
  CHECK(stored_seqs(*store) == std::vector<uint64_t>{8, 9, 11, 12, 17, 18, 19, 20});
  CHECK(stored_seqs(*other).size() == 20);

  // Writes after the range deletions in the same memtable, before, inside
  // and after them (the insert hints of storage/rocksdb/insert_hint.hpp).
  REQUIRE(append(*store, {msg(21, "n"), msg(22, "n")}));
  REQUIRE(lease(*store, {{17, {1, 9500, false}}, {9, {2, 9500, true}}}));
  auto r = recover(*store, 100);
  REQUIRE(r);
  CHECK(seqs_of(r->loaded) == std::vector<uint64_t>{8, 9, 11, 12, 17, 18, 19, 20, 21, 22});
  check_state(r->loaded[0].state, {1, 9000, true});
  check_state(r->loaded[1].state, {2, 9500, true});
  check_state(r->loaded[2].state, {2, 20'000, false});
  check_state(r->loaded[3].state, {1, 9000, true});
  check_state(r->loaded[4].state, {1, 9500, false});
  check_state(r->loaded[5].state, {});
  // A page over the deleted runs applies them (a shard's page of messages
  // stored before its start, `page_messages::no_range_deleted` false) ...
  auto over = page(*store, 1, 23, 100);
  REQUIRE(over);
  CHECK(seqs_of(*over) == std::vector<uint64_t>{8, 9, 11, 12, 17, 18, 19, 20, 21, 22});
  // ... and one above them reads the rest.
  auto p = page(*store, 17, 23, 10);
  REQUIRE(p);
  CHECK(seqs_of(*p) == std::vector<uint64_t>{17, 18, 19, 20, 21, 22});
  check_state(p->at(0).state, {1, 9500, false});
}

TEMPLATE_TEST_CASE("purge deletes the listed seqs and the cold range", "[store]", memory_env,
                   rocksdb_env) {
  TestType env;
  auto store = env.get().messages(queue_a, 0);
  std::vector<new_message> msgs;
  for (uint64_t seq = 1; seq <= 8; ++seq)
    msgs.push_back(msg(seq, "m", seq == 5 ? 777 : 0));
  REQUIRE(append(*store, msgs));
  purge_messages cmd;
  cmd.seqs = {1, 2};
  cmd.cold_from = 4;
  cmd.cold_below = 7; // 4, 5, 6; not 7
  REQUIRE(purge(*store, cmd));
  CHECK(stored_seqs(*store) == std::vector<uint64_t>{3, 7, 8});

  purge_messages empty_range;
  empty_range.cold_from = 8;
  empty_range.cold_below = 8;
  REQUIRE(purge(*store, empty_range));
  CHECK(stored_seqs(*store) == std::vector<uint64_t>{3, 7, 8});

  // Writes after a range deletion in the same memtable: every key of the
  // shard, in order, before, inside and after the deleted range (RocksDB 7.8
  // corrupts this with memtable insert hints, storage/rocksdb/insert_hint.hpp).
  REQUIRE(append(*store, {msg(9, "n"), msg(10, "n")}));
  REQUIRE(lease(*store, {{3, {1, 9000, false}}, {9, {1, 9000, false}}}));
  purge_messages low;
  low.cold_from = 0;
  low.cold_below = 3; // nothing there any more
  REQUIRE(purge(*store, low));
  REQUIRE(append(*store, {msg(11, "n")}));
  CHECK(stored_seqs(*store) == std::vector<uint64_t>{3, 7, 8, 9, 10, 11});
  auto r = recover(*store, 10);
  REQUIRE(r);
  CHECK(seqs_of(r->loaded) == std::vector<uint64_t>{3, 7, 8, 9, 10, 11});
  check_state(r->loaded[0].state, {1, 9000, false});
  check_state(r->loaded[3].state, {1, 9000, false});
}

TEMPLATE_TEST_CASE("recover with a small window counts the cold messages and page reads them",
                   "[store]", memory_env, rocksdb_env) {
  TestType env;
  auto store = env.get().messages(queue_a, 0);
  REQUIRE(append(*store, five()));
  REQUIRE(lease(*store, {{4, {3, 123, false}}}));

  auto r = recover(*store, 2);
  REQUIRE(r);
  CHECK(seqs_of(r->loaded) == std::vector<uint64_t>{1, 2});
  CHECK(r->cold_count == 3);
  CHECK(r->cold_bytes == 3 + 4 + 5);
  CHECK(r->cold_from == 3);
  CHECK(r->last_seq == 5);

  auto all_cold = recover(*store, 0);
  REQUIRE(all_cold);
  CHECK(all_cold->loaded.empty());
  CHECK(all_cold->cold_count == 5);
  CHECK(all_cold->cold_bytes == 15);
  CHECK(all_cold->cold_from == 1);
  CHECK(all_cold->last_seq == 5);

  auto p = page(*store, r->cold_from, r->last_seq + 1, 10);
  REQUIRE(p);
  REQUIRE(seqs_of(*p) == std::vector<uint64_t>{3, 4, 5});
  CHECK(p->at(0).message.body == "xxx");
  check_state(p->at(1).state, {3, 123, false});
  check_state(p->at(2).state, {});

  auto limited = page(*store, 3, 6, 2);
  REQUIRE(limited);
  CHECK(seqs_of(*limited) == std::vector<uint64_t>{3, 4});
  check_state(limited->at(1).state, {3, 123, false});
  auto below = page(*store, 2, 4, 10);
  REQUIRE(below);
  CHECK(seqs_of(*below) == std::vector<uint64_t>{2, 3});
  auto none = page(*store, 6, 100, 10);
  REQUIRE(none);
  CHECK(none->empty());
}

TEMPLATE_TEST_CASE("shards and queues do not see each other's messages", "[store]", memory_env,
                   rocksdb_env) {
  TestType env;
  auto a0 = env.get().messages(queue_a, 0);
  auto a1 = env.get().messages(queue_a, 1);
  auto b0 = env.get().messages(queue_b, 0);
  auto a0_again = env.get().messages(queue_a, 0);
  REQUIRE(append(*a0, {msg(1, "a0")}));
  REQUIRE(append(*a1, {msg(2, "a1")}));
  REQUIRE(append(*b0, {msg(3, "b0")}));
  CHECK(stored_seqs(*a0) == std::vector<uint64_t>{1});
  CHECK(stored_seqs(*a0_again) == std::vector<uint64_t>{1});
  CHECK(stored_seqs(*a1) == std::vector<uint64_t>{2});
  CHECK(stored_seqs(*b0) == std::vector<uint64_t>{3});
  REQUIRE(remove(*a0, {2, 3}));
  CHECK(stored_seqs(*a1) == std::vector<uint64_t>{2});
  CHECK(stored_seqs(*b0) == std::vector<uint64_t>{3});
}

namespace {

queue_record queue(const std::string& account, const std::string& id, const std::string& name) {
  queue_record q;
  q.account = account;
  q.id = id;
  q.name = name;
  q.created_ms = 11;
  q.modified_ms = 12;
  q.settings.delivery_delay = 3;
  q.settings.message_retention_period = 600;
  q.settings.delivery_paused = true;
  return q;
}

consumer_record consumer(const std::string& id) {
  consumer_record c;
  c.id = id;
  c.type = consumer_type::worker;
  c.script_name = "script-1";
  c.dead_letter_queue = "dlq";
  c.created_ms = 21;
  c.batch_size = 7;
  c.max_retries = 9;
  c.retry_delay = 4;
  c.visibility_timeout_ms = 1234;
  c.max_wait_time_ms = 2345;
  c.max_concurrency = 6;
  return c;
}

audit_record audit(const std::string& account, uint64_t seq) {
  audit_record a;
  a.seq = seq;
  a.time_ms = 100 + static_cast<int64_t>(seq);
  a.account = account;
  a.caller = "dev";
  a.action = "CreateQueue";
  a.resource_type = "queue";
  a.resource_id = queue_a;
  a.resource_name = "q" + std::to_string(seq);
  a.details = {{"name", a.resource_name}, {"delivery_delay", "3"}};
  return a;
}

/// One record of every kind, for account "acct".
meta_change every_kind() {
  meta_change c;
  c.put_queues.push_back(queue("acct", queue_a, "orders"));
  c.put_queues.push_back(queue("acct", queue_b, "billing"));
  c.put_consumers.push_back({"acct", queue_a, consumer("c0ffee00c0ffee00c0ffee00c0ffee00")});
  token_record t;
  t.id = "11111111111111111111111111111111";
  t.hash = "ab12";
  t.account = "acct";
  t.permissions = perm_queues_read | perm_admin;
  t.name = "ci";
  t.created_ms = 31;
  c.put_tokens.push_back(t);
  subscription_record s;
  s.account = "acct";
  s.id = "22222222222222222222222222222222";
  s.name = "models";
  s.source_type = "workersAi.model";
  s.source_fields = {{"model_name", "@cf/meta/llama"}};
  s.events = {"batch.queued", "batch.done"};
  s.queue_id = queue_a;
  s.enabled = false;
  s.created_ms = 41;
  s.modified_ms = 42;
  c.put_subscriptions.push_back(s);
  script_record sc;
  sc.account = "acct";
  sc.name = "script-1";
  sc.plugin = "forward";
  sc.env = {{"A", "1"}, {"B", "2"}};
  sc.created_ms = 51;
  sc.modified_ms = 52;
  c.put_scripts.push_back(sc);
  c.put_audit = {audit("acct", 10), audit("acct", 2), audit("other", 5)};
  return c;
}

void check_every_kind(const meta_snapshot& m) {
  REQUIRE(m.queues.size() == 2);
  const auto& q = m.queues[0]; // queue_a sorts first
  CHECK(q.account == "acct");
  CHECK(q.id == queue_a);
  CHECK(q.name == "orders");
  CHECK(q.created_ms == 11);
  CHECK(q.modified_ms == 12);
  CHECK(q.settings.delivery_delay == 3);
  CHECK(q.settings.message_retention_period == 600);
  CHECK(q.settings.delivery_paused);
  REQUIRE(q.consumers.size() == 1);
  const auto& c = q.consumers[0];
  auto want = consumer("c0ffee00c0ffee00c0ffee00c0ffee00");
  CHECK(c.id == want.id);
  CHECK(c.type == want.type);
  CHECK(c.script_name == want.script_name);
  CHECK(c.dead_letter_queue == want.dead_letter_queue);
  CHECK(c.created_ms == want.created_ms);
  CHECK(c.batch_size == want.batch_size);
  CHECK(c.max_retries == want.max_retries);
  CHECK(c.retry_delay == want.retry_delay);
  CHECK(c.visibility_timeout_ms == want.visibility_timeout_ms);
  CHECK(c.max_wait_time_ms == want.max_wait_time_ms);
  CHECK(c.max_concurrency == want.max_concurrency);
  CHECK(m.queues[1].name == "billing");
  CHECK(m.queues[1].consumers.empty());

  REQUIRE(m.tokens.size() == 1);
  CHECK(m.tokens[0].id == "11111111111111111111111111111111");
  CHECK(m.tokens[0].hash == "ab12");
  CHECK(m.tokens[0].account == "acct");
  CHECK(m.tokens[0].permissions == (perm_queues_read | perm_admin));
  CHECK(m.tokens[0].name == "ci");
  CHECK(m.tokens[0].created_ms == 31);

  REQUIRE(m.subscriptions.size() == 1);
  const auto& s = m.subscriptions[0];
  CHECK(s.account == "acct");
  CHECK(s.id == "22222222222222222222222222222222");
  CHECK(s.name == "models");
  CHECK(s.source_type == "workersAi.model");
  CHECK(s.source_fields
        == std::vector<std::pair<std::string, std::string>>{{"model_name", "@cf/meta/llama"}});
  CHECK(s.events == std::vector<std::string>{"batch.queued", "batch.done"});
  CHECK(s.queue_id == queue_a);
  CHECK_FALSE(s.enabled);
  CHECK(s.created_ms == 41);
  CHECK(s.modified_ms == 42);

  REQUIRE(m.scripts.size() == 1);
  CHECK(m.scripts[0].account == "acct");
  CHECK(m.scripts[0].name == "script-1");
  CHECK(m.scripts[0].plugin == "forward");
  CHECK(m.scripts[0].env
        == std::vector<std::pair<std::string, std::string>>{{"A", "1"}, {"B", "2"}});
  CHECK(m.scripts[0].created_ms == 51);
  CHECK(m.scripts[0].modified_ms == 52);

  REQUIRE(m.audit.size() == 3);
  CHECK(m.audit[0].account == "acct");
  CHECK(m.audit[0].seq == 2);
  CHECK(m.audit[1].account == "acct");
  CHECK(m.audit[1].seq == 10);
  CHECK(m.audit[2].account == "other");
  CHECK(m.audit[2].seq == 5);
  const auto& a = m.audit[1];
  auto want_a = audit("acct", 10);
  CHECK(a.time_ms == want_a.time_ms);
  CHECK(a.caller == want_a.caller);
  CHECK(a.action == want_a.action);
  CHECK(a.resource_type == want_a.resource_type);
  CHECK(a.resource_id == want_a.resource_id);
  CHECK(a.resource_name == want_a.resource_name);
  CHECK(a.details == want_a.details);
}

} // namespace

TEMPLATE_TEST_CASE("meta apply and load round-trip every record kind", "[store]", memory_env,
                   rocksdb_env) {
  TestType env;
  auto& meta = env.get().meta();
  auto empty = meta.load();
  REQUIRE(empty);
  CHECK(empty->queues.empty());
  CHECK(empty->audit.empty());

  REQUIRE(apply(meta, every_kind()));
  auto loaded = meta.load();
  REQUIRE(loaded);
  check_every_kind(*loaded);
}

TEMPLATE_TEST_CASE("a put queue's own consumers are not stored", "[store]", memory_env,
                   rocksdb_env) {
  TestType env;
  meta_change c;
  c.put_queues.push_back(queue("acct", queue_a, "orders"));
  c.put_queues[0].consumers.push_back(consumer("c0ffee00c0ffee00c0ffee00c0ffee00"));
  REQUIRE(apply(env.get().meta(), c));
  auto loaded = env.get().meta().load();
  REQUIRE(loaded);
  REQUIRE(loaded->queues.size() == 1);
  CHECK(loaded->queues[0].consumers.empty());
}

TEMPLATE_TEST_CASE("meta erases remove each record kind", "[store]", memory_env, rocksdb_env) {
  TestType env;
  auto& meta = env.get().meta();
  REQUIRE(apply(meta, every_kind()));
  meta_change c;
  c.erase_consumers.push_back({"acct", queue_a});
  c.erase_tokens.push_back("ab12");
  c.erase_subscriptions.push_back({"acct", "22222222222222222222222222222222"});
  c.erase_scripts.push_back({"acct", "script-1"});
  c.erase_audit.push_back({"acct", 2});
  REQUIRE(apply(meta, c));
  auto loaded = meta.load();
  REQUIRE(loaded);
  REQUIRE(loaded->queues.size() == 2);
  CHECK(loaded->queues[0].consumers.empty());
  CHECK(loaded->tokens.empty());
  CHECK(loaded->subscriptions.empty());
  CHECK(loaded->scripts.empty());
  REQUIRE(loaded->audit.size() == 2);
  CHECK(loaded->audit[0].seq == 10);
  CHECK(loaded->audit[1].seq == 5);
}

TEMPLATE_TEST_CASE("erase_queues also removes the queue's consumer and messages", "[store]",
                   memory_env, rocksdb_env) {
  TestType env;
  auto& meta = env.get().meta();
  REQUIRE(apply(meta, every_kind()));
  meta_change more;
  more.put_consumers.push_back({"acct", queue_b, consumer("d00dd00dd00dd00dd00dd00dd00dd00d")});
  REQUIRE(apply(meta, more));
  auto a0 = env.get().messages(queue_a, 0);
  auto a3 = env.get().messages(queue_a, 3);
  auto b0 = env.get().messages(queue_b, 0);
  REQUIRE(append(*a0, five()));
  REQUIRE(lease(*a0, {{1, {1, 10, false}}}));
  REQUIRE(append(*a3, {msg(1, "a3")}));
  REQUIRE(append(*b0, {msg(1, "b0")}));

  meta_change erase;
  erase.erase_queues.push_back({"acct", queue_a});
  REQUIRE(apply(meta, erase));

  auto loaded = meta.load();
  REQUIRE(loaded);
  REQUIRE(loaded->queues.size() == 1);
  CHECK(loaded->queues[0].id == queue_b);
  REQUIRE(loaded->queues[0].consumers.size() == 1);
  CHECK(loaded->queues[0].consumers[0].id == "d00dd00dd00dd00dd00dd00dd00dd00d");
  auto fresh_a0 = env.get().messages(queue_a, 0);
  auto r = recover(*fresh_a0, 10);
  REQUIRE(r);
  CHECK(r->loaded.empty());
  CHECK(r->last_seq == 0);
  CHECK(stored_seqs(*a0).empty());
  CHECK(stored_seqs(*a3).empty());
  CHECK(stored_seqs(*b0) == std::vector<uint64_t>{1});

  // An old handle stays usable: its writes land in a fresh, empty shard.
  REQUIRE(append(*a0, {msg(9, "late")}));
  CHECK(stored_seqs(*fresh_a0) == std::vector<uint64_t>{9});
}

TEMPLATE_TEST_CASE("lease_secret stores the first fresh secret and keeps it", "[store]", memory_env,
                   rocksdb_env) {
  TestType env;
  auto first = env.get().meta().lease_secret("secret-1");
  REQUIRE(first);
  CHECK(*first == "secret-1");
  auto second = env.get().meta().lease_secret("secret-2");
  REQUIRE(second);
  CHECK(*second == "secret-1");
  env.restart();
  auto after = env.get().meta().lease_secret("secret-3");
  REQUIRE(after);
  CHECK(*after == "secret-1");
}

TEMPLATE_TEST_CASE("applied indexes rise by one per command, meta and message alike", "[store]",
                   memory_env, rocksdb_env) {
  TestType env;
  auto a = env.get().messages(queue_a, 0);
  auto b = env.get().messages(queue_b, 2);
  std::vector<uint64_t> indexes;
  auto record = [&](expected<applied> r) {
    REQUIRE(r);
    indexes.push_back(r->index);
  };
  record(append(*a, {msg(1, "a")}));
  record(apply(env.get().meta(), every_kind()));
  record(append(*b, {msg(1, "b")}));
  record(lease(*a, {{1, {1, 5, false}}}));
  record(settle(*a, settle_messages{{1}, {}, {}}));
  record(remove(*b, {1}));
  record(expire(*b, {7}));
  record(purge(*b, purge_messages{}));
  record(apply(env.get().meta(), meta_change{})); // empty: still one command
  REQUIRE(indexes.size() == 9);
  CHECK(indexes[0] >= 1);
  for (size_t i = 1; i < indexes.size(); ++i)
    CHECK(indexes[i] == indexes[i - 1] + 1);

  a.reset();
  b.reset();
  env.restart();
  auto c = env.get().messages(queue_a, 0);
  auto next = append(*c, {msg(2, "c")});
  REQUIRE(next);
  CHECK(next->index == indexes.back() + 1);
}

TEMPLATE_TEST_CASE("a fresh handle after a restart recovers everything", "[store]", memory_env,
                   rocksdb_env) {
  TestType env;
  {
    auto store = env.get().messages(queue_a, 1);
    REQUIRE(append(*store, five()));
    REQUIRE(append(*store, {msg(6, "delayed", 4242)}));
    REQUIRE(lease(*store, {{2, {1, 777, true}}}));
    REQUIRE(remove(*store, {3}));
    REQUIRE(apply(env.get().meta(), every_kind()));
  }
  env.restart();
  auto store = env.get().messages(queue_a, 1);
  auto r = recover(*store, 3);
  REQUIRE(r);
  INFO(TestType::name);
  CHECK(seqs_of(r->loaded) == std::vector<uint64_t>{1, 2, 4});
  check_state(r->loaded[1].state, {1, 777, true});
  CHECK(r->cold_count == 2);
  CHECK(r->cold_bytes == 5 + 7);
  CHECK(r->cold_from == 5);
  CHECK(r->last_seq == 6);
  auto cold = page(*store, r->cold_from, r->last_seq + 1, 10);
  REQUIRE(cold);
  REQUIRE(seqs_of(*cold) == std::vector<uint64_t>{5, 6});
  check_state(cold->at(1).state, {0, 4242, false});
  auto loaded = env.get().meta().load();
  REQUIRE(loaded);
  check_every_kind(*loaded);
}

// What only the memory backend promises (the RocksDB backend's own tests
// cover its shutdown).

TEST_CASE("memory_backend: stop fails later writes and reads with closed", "[store]") {
  memory_backend mem;
  auto store = mem.messages(queue_a, 0);
  REQUIRE(append(*store, {msg(1, "a")}));
  auto last = mem.last_applied();
  mem.stop();
  mem.stop(); // idempotent

  auto w = append(*store, {msg(2, "b")});
  REQUIRE_FALSE(w);
  CHECK(w.error().code == store_errc::closed);
  auto m = apply(mem.meta(), every_kind());
  REQUIRE_FALSE(m);
  CHECK(m.error().code == store_errc::closed);
  auto r = recover(*mem.messages(queue_a, 0), 10);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == store_errc::closed);
  auto p = page(*store, 0, 10, 10);
  REQUIRE_FALSE(p);
  CHECK(p.error().code == store_errc::closed);
  auto l = mem.meta().load();
  REQUIRE_FALSE(l);
  CHECK(l.error().code == store_errc::closed);
  auto s = mem.meta().lease_secret("x");
  REQUIRE_FALSE(s);
  CHECK(s.error().code == store_errc::closed);
  CHECK(mem.last_applied() == last);
}

TEST_CASE("memory_backend: a handle outlives its backend", "[store]") {
  std::unique_ptr<message_store> store;
  {
    memory_backend mem;
    store = mem.messages(queue_a, 0);
    REQUIRE(append(*store, {msg(1, "a")}));
  }
  REQUIRE(append(*store, {msg(2, "b")}));
  CHECK(stored_seqs(*store) == std::vector<uint64_t>{1, 2});
}

TEST_CASE("memory_backend: a callback may submit the next command", "[store]") {
  memory_backend mem;
  auto store = mem.messages(queue_a, 0);
  int inner_calls = 0;
  int outer_calls = 0;
  store->append(append_messages{{msg(1, "a")}}, [&](expected<applied> r) {
    ++outer_calls;
    REQUIRE(r);
    store->append(append_messages{{msg(2, "b")}}, [&](expected<applied> r2) {
      ++inner_calls;
      CHECK(r2);
    });
  });
  CHECK(outer_calls == 1);
  CHECK(inner_calls == 1);
  CHECK(stored_seqs(*store) == std::vector<uint64_t>{1, 2});
}

TEMPLATE_TEST_CASE("a fan-out queue keeps one consumer per slot, erasing one slot or the queue "
                   "removes them",
                   "[store]", memory_env, rocksdb_env) {
  TestType env;
  auto& meta = env.get().meta();
  meta_change c;
  c.put_queues.push_back(queue("acct", queue_a, "orders"));
  auto first = consumer("c0ffee00c0ffee00c0ffee00c0ffee00");
  auto second = consumer("d00dd00dd00dd00dd00dd00dd00dd00d");
  second.slot = 1;
  c.put_consumers.push_back({"acct", queue_a, first});
  c.put_consumers.push_back({"acct", queue_a, second});
  REQUIRE(apply(meta, c));
  auto loaded = meta.load();
  REQUIRE(loaded);
  REQUIRE(loaded->queues.size() == 1);
  REQUIRE(loaded->queues[0].consumers.size() == 2);
  CHECK(loaded->queues[0].consumers[0].id == first.id);
  CHECK(loaded->queues[0].consumers[1].slot == 1);

  meta_change drop_first;
  drop_first.erase_consumers.push_back({"acct", queue_a, 0});
  REQUIRE(apply(meta, drop_first));
  loaded = meta.load();
  REQUIRE(loaded);
  REQUIRE(loaded->queues[0].consumers.size() == 1);
  CHECK(loaded->queues[0].consumers[0].id == second.id);

  meta_change erase;
  erase.erase_queues.push_back({"acct", queue_a});
  erase.put_queues.push_back(queue("acct", queue_a, "orders")); // recreated: no consumers
  REQUIRE(apply(meta, erase));
  loaded = meta.load();
  REQUIRE(loaded);
  REQUIRE(loaded->queues.size() == 1);
  CHECK(loaded->queues[0].consumers.empty());
}

TEMPLATE_TEST_CASE("a redrive task round-trips, is replaced per queue and erased with it",
                   "[store]", memory_env, rocksdb_env) {
  TestType env;
  auto& meta = env.get().meta();
  REQUIRE(apply(meta, every_kind()));
  redrive_record r;
  r.account = "acct";
  r.id = "7777777777777777777777777777777a";
  r.source_queue_id = queue_a;
  r.destination_queue_id = queue_b;
  r.max_per_second = 25;
  r.state = redrive_state::failed;
  r.to_move = 40;
  r.moved = 12;
  r.started_ms = 61;
  r.finished_ms = 62;
  r.failure_reason = "queue gone";
  meta_change c;
  c.put_redrives.push_back(r);
  REQUIRE(apply(meta, c));
  auto next = r;
  next.id = "7777777777777777777777777777777b";
  next.destination_queue_id.clear();
  next.state = redrive_state::running;
  next.failure_reason.clear();
  meta_change c2;
  c2.put_redrives.push_back(next); // the queue's next task replaces its last one
  REQUIRE(apply(meta, c2));
  auto loaded = meta.load();
  REQUIRE(loaded);
  REQUIRE(loaded->redrives.size() == 1);
  const auto& got = loaded->redrives[0];
  CHECK(got.account == "acct");
  CHECK(got.id == next.id);
  CHECK(got.source_queue_id == queue_a);
  CHECK(got.destination_queue_id.empty());
  CHECK(got.max_per_second == 25);
  CHECK(got.state == redrive_state::running);
  CHECK(got.to_move == 40);
  CHECK(got.moved == 12);
  CHECK(got.started_ms == 61);
  CHECK(got.finished_ms == 62);
  meta_change erase;
  erase.erase_queues.push_back({"acct", queue_a});
  REQUIRE(apply(meta, erase));
  loaded = meta.load();
  REQUIRE(loaded);
  CHECK(loaded->redrives.empty());
}
