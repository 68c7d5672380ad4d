#include <catch2/catch.hpp>

#include <tuple>

#include "storage/codec.hpp"
#include "storage/replicated/command_codec.hpp"

// Every write command of both stores, with every field set to a value other
// than its default, goes through the codec and must come back equal.
//
// Adding a field to a command or a record it carries (records.hpp,
// message_records.hpp, message_store.hpp, meta_store.hpp)? Add it to its
// field list in storage/replicated/command_codec.cpp (at the end), to its
// `fields_of` below, and give it a non-default value in the sample below —
// else the new field is silently lost in cluster mode.

namespace sluice::storage {

namespace {

auto fields_of(const dead_letter_origin& x) {
  return std::tie(x.queue_id, x.queue_name, x.consumer_id, x.reason, x.last_error, x.attempts,
                  x.dead_lettered_ms);
}
auto fields_of(const stored_message& x) {
  return std::tie(x.timestamp_ms, x.type, x.body, x.id, x.dead_letter);
}
auto fields_of(const delivery_state& x) {
  return std::tie(x.attempts, x.visible_at_ms, x.pushed, x.last_error);
}
auto fields_of(const new_message& x) {
  return std::tie(x.seq, x.message, x.visible_at_ms);
}
auto fields_of(const state_change& x) {
  return std::tie(x.seq, x.state);
}
auto fields_of(const queue_settings& x) {
  return std::tie(x.delivery_delay, x.message_retention_period, x.delivery_paused, x.mode,
                  x.dedup_window_seconds);
}
auto fields_of(const consumer_record& x) {
  return std::tie(x.id, x.type, x.script_name, x.dead_letter_queue, x.created_ms, x.batch_size,
                  x.max_retries, x.retry_delay, x.visibility_timeout_ms, x.max_wait_time_ms,
                  x.max_concurrency, x.slot);
}
auto fields_of(const queue_record& x) {
  return std::tie(x.account, x.id, x.name, x.created_ms, x.modified_ms, x.settings, x.consumers,
                  x.jurisdiction);
}
auto fields_of(const token_record& x) {
  return std::tie(x.id, x.hash, x.account, x.permissions, x.name, x.created_ms);
}
auto fields_of(const subscription_record& x) {
  return std::tie(x.account, x.id, x.name, x.source_type, x.source_fields, x.events, x.queue_id,
                  x.enabled, x.created_ms, x.modified_ms);
}
auto fields_of(const script_record& x) {
  return std::tie(x.account, x.name, x.plugin, x.env, x.created_ms, x.modified_ms);
}
auto fields_of(const audit_record& x) {
  return std::tie(x.seq, x.time_ms, x.account, x.caller, x.action, x.resource_type, x.resource_id,
                  x.resource_name, x.details);
}
auto fields_of(const queue_ref& x) {
  return std::tie(x.account, x.id);
}
auto fields_of(const consumer_ref& x) {
  return std::tie(x.account, x.queue_id, x.slot);
}
auto fields_of(const redrive_record& x) {
  return std::tie(x.account, x.id, x.source_queue_id, x.destination_queue_id, x.max_per_second,
                  x.state, x.to_move, x.moved, x.started_ms, x.finished_ms, x.failure_reason);
}
auto fields_of(const dedup_entry& x) {
  return std::tie(x.dedup_id, x.message_id, x.expires_ms);
}
auto fields_of(const dedup_key& x) {
  return std::tie(x.dedup_id, x.expires_ms);
}
auto fields_of(const erase_dedup& x) {
  return std::tie(x.keys);
}
auto fields_of(const consumer_put& x) {
  return std::tie(x.account, x.queue_id, x.consumer);
}
auto fields_of(const named_ref& x) {
  return std::tie(x.account, x.name);
}
auto fields_of(const audit_ref& x) {
  return std::tie(x.account, x.seq);
}
auto fields_of(const append_messages& x) {
  return std::tie(x.messages, x.dedup);
}
auto fields_of(const lease_messages& x) {
  return std::tie(x.leases);
}
auto fields_of(const settle_messages& x) {
  return std::tie(x.acked, x.retried, x.dead_lettered);
}
auto fields_of(const delete_messages& x) {
  return std::tie(x.seqs);
}
auto fields_of(const expire_messages& x) {
  return std::tie(x.seqs);
}
auto fields_of(const purge_messages& x) {
  return std::tie(x.seqs, x.cold_from, x.cold_below);
}
auto fields_of(const meta_change& x) {
  return std::tie(x.put_queues, x.erase_queues, x.put_consumers, x.erase_consumers, x.put_tokens,
                  x.erase_tokens, x.put_subscriptions, x.erase_subscriptions, x.put_scripts,
                  x.erase_scripts, x.put_audit, x.erase_audit, x.put_redrives);
}
auto fields_of(const propose_lease_secret& x) {
  return std::tie(x.secret);
}

} // namespace

// Equality by field list, found by argument-dependent lookup (vectors and
// optionals of these compare through it).
#define SLUICE_FIELDWISE_EQ(T)                                                                     \
  bool operator==(const T& a, const T& b) {                                                        \
    return fields_of(a) == fields_of(b);                                                           \
  }
SLUICE_FIELDWISE_EQ(dead_letter_origin)
SLUICE_FIELDWISE_EQ(stored_message)
SLUICE_FIELDWISE_EQ(delivery_state)
SLUICE_FIELDWISE_EQ(new_message)
SLUICE_FIELDWISE_EQ(state_change)
SLUICE_FIELDWISE_EQ(queue_settings)
SLUICE_FIELDWISE_EQ(consumer_record)
SLUICE_FIELDWISE_EQ(queue_record)
SLUICE_FIELDWISE_EQ(token_record)
SLUICE_FIELDWISE_EQ(subscription_record)
SLUICE_FIELDWISE_EQ(script_record)
SLUICE_FIELDWISE_EQ(audit_record)
SLUICE_FIELDWISE_EQ(queue_ref)
SLUICE_FIELDWISE_EQ(consumer_ref)
SLUICE_FIELDWISE_EQ(redrive_record)
SLUICE_FIELDWISE_EQ(dedup_entry)
SLUICE_FIELDWISE_EQ(dedup_key)
SLUICE_FIELDWISE_EQ(erase_dedup)
SLUICE_FIELDWISE_EQ(consumer_put)
SLUICE_FIELDWISE_EQ(named_ref)
SLUICE_FIELDWISE_EQ(audit_ref)
SLUICE_FIELDWISE_EQ(append_messages)
SLUICE_FIELDWISE_EQ(lease_messages)
SLUICE_FIELDWISE_EQ(settle_messages)
SLUICE_FIELDWISE_EQ(delete_messages)
SLUICE_FIELDWISE_EQ(expire_messages)
SLUICE_FIELDWISE_EQ(purge_messages)
SLUICE_FIELDWISE_EQ(meta_change)
SLUICE_FIELDWISE_EQ(propose_lease_secret)
#undef SLUICE_FIELDWISE_EQ

namespace {

const std::string queue_id = "0123456789abcdef0123456789abcdef";

dead_letter_origin sample_origin() {
  return {"fedcba9876543210fedcba9876543210",
          "orders",
          "c0ffee",
          "retries_exhausted",
          "exception: boom",
          4,
          1700000000123};
}

stored_message sample_message(bool moved) {
  stored_message m;
  m.timestamp_ms = 1700000000001;
  m.type = content_type::bytes;
  m.body = std::string("bin\0ary", 7);
  if (moved) {
    m.id = "kept-id";
    m.dead_letter = sample_origin();
  }
  return m;
}

delivery_state sample_state() {
  return {3, 1700000000999, true, "timeout"};
}

consumer_record sample_consumer() {
  consumer_record c;
  c.id = "cid";
  c.type = consumer_type::worker;
  c.script_name = "script";
  c.dead_letter_queue = "dlq";
  c.created_ms = 11;
  c.batch_size = 7;
  c.max_retries = 9;
  c.retry_delay = 13;
  c.visibility_timeout_ms = 17;
  c.max_wait_time_ms = 19;
  c.max_concurrency = 23;
  c.slot = 2;
  return c;
}

meta_change sample_meta_change() {
  meta_change c;
  queue_record q;
  q.account = "acct";
  q.id = queue_id;
  q.name = "orders";
  q.created_ms = 1;
  q.modified_ms = 2;
  q.settings = {5, 60, true, consumer_mode::multi, 900};
  q.consumers = {sample_consumer()};
  q.jurisdiction = "eu";
  c.put_queues = {q};
  c.erase_queues = {{"acct", "gone"}};
  c.put_consumers = {{"acct", queue_id, sample_consumer()}};
  c.erase_consumers = {{"acct", "other", 1}};
  c.put_tokens = {{"tid", "hash", "*", perm_admin | perm_queues_read, "ci", 42}};
  c.erase_tokens = {"oldhash"};
  subscription_record s;
  s.account = "acct";
  s.id = "sid";
  s.name = "sub";
  s.source_type = "workersAi.model";
  s.source_fields = {{"model_name", "@cf/meta/llama"}};
  s.events = {"batch.queued", "batch.done"};
  s.queue_id = queue_id;
  s.enabled = false;
  s.created_ms = 3;
  s.modified_ms = 4;
  c.put_subscriptions = {s};
  c.erase_subscriptions = {{"acct", "old-sub"}};
  c.put_scripts = {{"acct", "script", "webhook", {{"URL", "http://x"}}, 5, 6}};
  c.erase_scripts = {{"acct", "old-script"}};
  audit_record a;
  a.seq = 77;
  a.time_ms = 78;
  a.account = "acct";
  a.caller = "tid";
  a.action = "CreateQueue";
  a.resource_type = "queue";
  a.resource_id = queue_id;
  a.resource_name = "orders";
  a.details = {{"delivery_delay", "5"}};
  c.put_audit = {a};
  c.erase_audit = {{"acct", 12}};
  redrive_record r;
  r.account = "acct";
  r.id = "0123456789abcdef0123456789abcdef";
  r.source_queue_id = "dlq-id";
  r.destination_queue_id = queue_id;
  r.max_per_second = 50;
  r.state = redrive_state::failed;
  r.to_move = 1000;
  r.moved = 400;
  r.started_ms = 1700000000000;
  r.finished_ms = 1700000009000;
  r.failure_reason = "the destination was deleted";
  c.put_redrives = {r};
  return c;
}

/// One command of each kind, every field set.
std::vector<store_command> every_command() {
  std::vector<store_command> out;
  auto on_shard = [&out](store_command::body_type body) {
    out.push_back({queue_id, 513, std::move(body)});
  };
  on_shard(
      append_messages{{{1, sample_message(false), 0}, {2, sample_message(true), 1700000005000}},
                      {{"send-1", "msg-id-1", 1700000300000}, {"send-2", "msg-id-2", 9}}});
  on_shard(lease_messages{{{1, sample_state()}, {2, sample_state()}}});
  on_shard(settle_messages{{1, 4}, {{2, sample_state()}}, {3}});
  on_shard(delete_messages{{5, 6}});
  on_shard(expire_messages{{7}});
  on_shard(purge_messages{{8, 9}, 10, 20});
  out.push_back({{}, 0, sample_meta_change()});
  out.push_back({{}, 0, propose_lease_secret{std::string(32, '\x7f')}});
  on_shard(erase_dedup{{{"send-1", 1700000300000}, {"send-2", 9}}});
  return out;
}

} // namespace

TEST_CASE("every store command survives the replicated codec") {
  for (const auto& cmd : every_command()) {
    INFO("command kind " << cmd.body.index());
    auto bytes = encode_command(cmd);
    CHECK(static_cast<uint8_t>(bytes[0]) == command_format);
    auto back = decode_command(bytes);
    REQUIRE(back);
    CHECK(back->body.index() == cmd.body.index());
    CHECK(back->body == cmd.body);
    if (targets_meta(cmd)) {
      CHECK(back->queue_id.empty());
    } else {
      CHECK(back->queue_id == cmd.queue_id);
      CHECK(back->shard == cmd.shard);
    }
  }
}

TEST_CASE("the replicated codec refuses what is not a command of its format") {
  auto bytes = encode_command(every_command().front());
  CHECK_FALSE(decode_command(""));
  CHECK_FALSE(decode_command(bytes.substr(0, bytes.size() - 1))); // truncated
  auto newer = bytes;
  newer[0] = static_cast<char>(command_format + 1);
  CHECK_FALSE(decode_command(newer));
  auto unknown_kind = bytes;
  unknown_kind[1] = 99;
  CHECK_FALSE(decode_command(unknown_kind));
  // A vector count larger than the bytes left is corruption, not an allocation.
  auto huge = encoder{}.u8(command_format).u8(4).str(queue_id).u16(0);
  auto body = encoder{}.u32(0xffffffff).take();
  CHECK_FALSE(decode_command(huge.str(body).take()));
}

TEST_CASE("a struct written before a field existed reads that field as its default") {
  // A purge as a writer without `cold_from`/`cold_below` wrote it: the
  // command's run holds only `seqs`.
  auto seqs = encoder{}.u32(2).u64(4).u64(5).take();
  auto bytes = encoder{}.u8(command_format).u8(6).str(queue_id).u16(3).str(seqs).take();
  auto back = decode_command(bytes);
  REQUIRE(back);
  auto* purge = std::get_if<purge_messages>(&back->body);
  REQUIRE(purge);
  CHECK(purge->seqs == std::vector<uint64_t>{4, 5});
  CHECK(purge->cold_from == 0);
  CHECK(purge->cold_below == 0);
}

TEST_CASE("commands written before dedup, fan-out and redrive read with their defaults") {
  // An append without `dedup`, an erase_consumers element written as the
  // queue_ref (account, id) it was, settings and a consumer without their
  // newer fields, a meta change without `put_redrives`.
  auto message = encoder{}.u64(1).str(encoder{}.i64(5).take()).i64(0).take();
  auto append = encoder{}.u32(1).str(message).take();
  auto bytes = encoder{}.u8(command_format).u8(1).str(queue_id).u16(0).str(append).take();
  auto back = decode_command(bytes);
  REQUIRE(back);
  auto* appended = std::get_if<append_messages>(&back->body);
  REQUIRE(appended);
  REQUIRE(appended->messages.size() == 1);
  CHECK(appended->messages[0].message.timestamp_ms == 5);
  CHECK(appended->dedup.empty());

  auto settings = encoder{}.u32(5).u32(60).u8(0).take();
  auto queue = encoder{}.str("acct").str(queue_id).str("q").i64(1).i64(2).str(settings).take();
  auto consumer = encoder{}.str("cid").u8(static_cast<uint8_t>(consumer_type::http_pull)).take();
  auto put = encoder{}.str("acct").str(queue_id).str(consumer).take();
  auto erased = encoder{}.str("acct").str(queue_id).take(); // a queue_ref
  auto change = encoder{}
                    .u32(1)
                    .str(queue)
                    .u32(0)
                    .u32(1)
                    .str(put)
                    .u32(1)
                    .str(erased)
                    .u32(0)
                    .u32(0)
                    .u32(0)
                    .u32(0)
                    .u32(0)
                    .u32(0)
                    .u32(0)
                    .u32(0)
                    .take();
  back = decode_command(encoder{}.u8(command_format).u8(7).str(change).take());
  REQUIRE(back);
  auto* meta = std::get_if<meta_change>(&back->body);
  REQUIRE(meta);
  REQUIRE(meta->put_queues.size() == 1);
  CHECK(meta->put_queues[0].settings.delivery_delay == 5);
  CHECK(meta->put_queues[0].settings.mode == consumer_mode::single);
  CHECK(meta->put_queues[0].settings.dedup_window_seconds == queue_settings{}.dedup_window_seconds);
  REQUIRE(meta->put_consumers.size() == 1);
  CHECK(meta->put_consumers[0].consumer.id == "cid");
  CHECK(meta->put_consumers[0].consumer.slot == 0);
  REQUIRE(meta->erase_consumers.size() == 1);
  CHECK(meta->erase_consumers[0].account == "acct");
  CHECK(meta->erase_consumers[0].queue_id == queue_id);
  CHECK(meta->erase_consumers[0].slot == 0);
  CHECK(meta->put_redrives.empty());
}

TEST_CASE("a reader skips fields a newer writer appended to a struct") {
  auto run = encoder{}.u32(1).u64(9).u64(12345).take(); // seqs, then an unknown field
  auto bytes = encoder{}.u8(command_format).u8(4).str(queue_id).u16(1).str(run).take();
  auto back = decode_command(bytes);
  REQUIRE(back);
  auto* remove = std::get_if<delete_messages>(&back->body);
  REQUIRE(remove);
  CHECK(remove->seqs == std::vector<uint64_t>{9});
}

} // namespace sluice::storage
