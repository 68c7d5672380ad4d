#include <catch2/catch.hpp>

#include "storage/codec.hpp"
#include "storage/rocksdb/message_codec.hpp"
#include "storage/rocksdb/record_codec.hpp"

using namespace sluice::storage;

TEST_CASE("encoder writes big-endian integers that sort numerically") {
  auto a = encoder{}.u64(255).take();
  auto b = encoder{}.u64(256).take();
  CHECK(a.size() == 8);
  CHECK(a < b);
  CHECK(encoder{}.u16(0x0102).take() == std::string("\x01\x02", 2));
}

TEST_CASE("encoder writes every integer width big-endian") {
  CHECK(encoder{}.u32(0x01020304).take() == std::string("\x01\x02\x03\x04", 4));
  CHECK(encoder{}.u64(0x0102030405060708).take()
        == std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  CHECK(encoder{}.reserve(64).u8(0xff).take() == std::string("\xff", 1));
}

TEST_CASE("a message key made from its shard's prefix equals the one made from the queue id") {
  const std::string queue = "0123456789abcdef0123456789ABCDEF";
  auto prefix = shard_prefix(queue, 3);
  CHECK(prefix.size() == shard_prefix_bytes);
  for (uint64_t seq : {uint64_t{0}, uint64_t{1}, uint64_t{1} << 40, ~uint64_t{0}}) {
    auto key = message_key_in(prefix, seq);
    CHECK(key == message_key(queue, 3, seq));
    CHECK(key.size() == message_key_bytes);
    CHECK(seq_of_key(key) == seq);
  }
}

TEST_CASE("decoder reads what encoder wrote and detects truncation") {
  auto bytes = encoder{}.u8(7).u32(70000).i64(-5).str("hello").take();
  decoder in{bytes};
  CHECK(in.u8() == 7);
  CHECK(in.u32() == 70000);
  CHECK(in.i64() == -5);
  CHECK(in.str() == "hello");
  CHECK(in.ok());
  CHECK(in.at_end());

  decoder cut{std::string_view{bytes}.substr(0, bytes.size() - 2)};
  cut.u8();
  cut.u32();
  cut.i64();
  CHECK(cut.str().empty());
  CHECK_FALSE(cut.ok());
}

TEST_CASE("queue records round-trip through their codec") {
  queue_record q{"acct", "0123456789abcdef0123456789abcdef", "orders", 1000, 2000, {30, 600, true},
                 {}};
  auto back = decode_queue(encode(q));
  REQUIRE(back);
  CHECK(back->account == q.account);
  CHECK(back->id == q.id);
  CHECK(back->name == q.name);
  CHECK(back->created_ms == 1000);
  CHECK(back->modified_ms == 2000);
  CHECK(back->settings.delivery_delay == 30);
  CHECK(back->settings.message_retention_period == 600);
  CHECK(back->settings.delivery_paused);
}

TEST_CASE("queue records keep their jurisdiction, and records from before it still decode") {
  queue_record q{
      "acct", "0123456789abcdef0123456789abcdef", "orders", 1000, 2000, {30, 600, true}, {}, "eu"};
  auto back = decode_queue(encode(q));
  REQUIRE(back);
  CHECK(back->jurisdiction == "eu");
  CHECK(back->settings.delivery_paused);
  q.jurisdiction.clear();
  REQUIRE(decode_queue(encode(q)));
  CHECK(decode_queue(encode(q))->jurisdiction.empty());

  // The layout written before jurisdictions existed: it ends after delivery_paused.
  auto old = encoder{}
                 .u8(1)
                 .str("acct")
                 .str(q.id)
                 .str("orders")
                 .i64(1000)
                 .i64(2000)
                 .u32(30)
                 .u32(600)
                 .u8(1)
                 .take();
  auto legacy = decode_queue(old);
  REQUIRE(legacy);
  CHECK(legacy->name == "orders");
  CHECK(legacy->settings.message_retention_period == 600);
  CHECK(legacy->settings.delivery_paused);
  CHECK(legacy->jurisdiction.empty());
  // A cut-off jurisdiction is corruption, not an old record.
  auto bytes = encode(queue_record{"acct", q.id, "orders", 1, 2, {}, {}, "fedramp"});
  CHECK_FALSE(decode_queue(bytes.substr(0, bytes.size() - 2)));
}

TEST_CASE("queue records keep their dedup window, and records from before it get the default") {
  queue_record q{"acct", "0123456789abcdef0123456789abcdef", "orders", 1000, 2000, {}, {}, "us"};
  q.settings.dedup_window_seconds = 0;
  auto back = decode_queue(encode(q));
  REQUIRE(back);
  CHECK(back->settings.dedup_window_seconds == 0);
  CHECK(back->jurisdiction == "us");
  // The layout written before dedup windows existed: it ends after the jurisdiction.
  auto bytes = encode(q);
  auto legacy = decode_queue(bytes.substr(0, bytes.size() - 4));
  REQUIRE(legacy);
  CHECK(legacy->jurisdiction == "us");
  CHECK(legacy->settings.dedup_window_seconds == 300);
  // A cut-off window is corruption, not an old record.
  CHECK_FALSE(decode_queue(bytes.substr(0, bytes.size() - 2)));
}

TEST_CASE("token records round-trip, foreign bytes are rejected") {
  token_record t{"id1", "hash1", "*", perm_admin | perm_queues_read, "ci", 42};
  auto back = decode_token(encode(t));
  REQUIRE(back);
  CHECK(back->hash == "hash1");
  CHECK(back->permissions == (perm_admin | perm_queues_read));
  CHECK_FALSE(decode_token("garbage"));
  CHECK_FALSE(decode_queue(encode(t))); // a token is not a queue
}

TEST_CASE("subscription records round-trip with their source fields and events") {
  subscription_record s;
  s.account = "acct";
  s.id = "sub1";
  s.name = "models";
  s.source_type = "workersAi.model";
  s.source_fields = {{"model_name", "@cf/meta/llama"}};
  s.events = {"batch.queued", "batch.failed"};
  s.queue_id = "q1";
  s.enabled = false;
  s.created_ms = 5;
  s.modified_ms = 6;
  auto back = decode_subscription(encode(s));
  REQUIRE(back);
  CHECK(back->source_fields == s.source_fields);
  CHECK(back->events == s.events);
  CHECK(back->queue_id == "q1");
  CHECK_FALSE(back->enabled);
  CHECK(back->modified_ms == 6);
  auto bytes = encode(s);
  CHECK_FALSE(decode_subscription(bytes.substr(0, bytes.size() - 3))); // truncated
  CHECK_FALSE(decode_subscription(encode(token_record{})));
}

TEST_CASE("audit records round-trip with their details") {
  audit_record a{7,     1234,          "acct",
                 "tok", "CreateQueue", "queue",
                 "q1",  "orders",      {{"delivery_paused", "true"}, {"note", ""}}};
  auto back = decode_audit(encode(a));
  REQUIRE(back);
  CHECK(back->seq == 7);
  CHECK(back->time_ms == 1234);
  CHECK(back->account == "acct");
  CHECK(back->caller == "tok");
  CHECK(back->action == "CreateQueue");
  CHECK(back->resource_type == "queue");
  CHECK(back->resource_id == "q1");
  CHECK(back->resource_name == "orders");
  CHECK(back->details == a.details);
  auto bytes = encode(a);
  CHECK_FALSE(decode_audit(bytes.substr(0, bytes.size() - 1)));
  CHECK_FALSE(decode_audit(bytes + "x"));
  CHECK_FALSE(decode_audit(encode(token_record{})));
}

TEST_CASE("meta keys group records by kind and account") {
  CHECK(queue_key("a", "q1") == "queue/a/q1");
  CHECK(audit_key("a", 42) == "audit/a/00000000000000000042");
  CHECK(audit_key("a", 9) < audit_key("a", 10));
  CHECK(token_key("h") == "token/h");
  CHECK(subscription_key("a", "s1") == "subscription/a/s1");
}

TEST_CASE("a message sent here keeps the first record layout") {
  stored_message m{1234, content_type::text, "hello"};
  auto bytes = encode(m);
  // format 1, timestamp, type, then the body as it is
  CHECK(bytes == encoder{}.u8(1).i64(1234).u8(1).raw("hello").take());
  CHECK(bytes.size() == stored_message_header_bytes + 5);
  CHECK(stored_body_bytes(bytes) == 5);
  auto back = decode_message(bytes);
  REQUIRE(back);
  CHECK(back->timestamp_ms == 1234);
  CHECK(back->type == content_type::text);
  CHECK(back->body == "hello");
  CHECK(back->id.empty());
  CHECK_FALSE(back->dead_letter);
}

TEST_CASE("a dead letter's record keeps its id and origin before the body") {
  dead_letter_origin d{"0123456789abcdef0123456789abcdef",
                       "orders",
                       "c1",
                       "retries_exhausted",
                       "exception: boom",
                       4,
                       5678};
  stored_message m{1234, content_type::bytes, std::string("\0\x01\xff", 3), "kept-id", d};
  auto bytes = encode(m);
  CHECK(stored_body_bytes(bytes) == 3);
  auto back = decode_message(bytes);
  REQUIRE(back);
  CHECK(back->timestamp_ms == 1234);
  CHECK(back->type == content_type::bytes);
  CHECK(back->body == m.body);
  CHECK(back->id == "kept-id");
  REQUIRE(back->dead_letter);
  CHECK(back->dead_letter->queue_id == d.queue_id);
  CHECK(back->dead_letter->queue_name == "orders");
  CHECK(back->dead_letter->consumer_id == "c1");
  CHECK(back->dead_letter->reason == "retries_exhausted");
  CHECK(back->dead_letter->last_error == "exception: boom");
  CHECK(back->dead_letter->attempts == 4);
  CHECK(back->dead_letter->dead_lettered_ms == 5678);

  // An id without an origin (a move that is not a dead letter) is fine too.
  auto id_only = decode_message(encode(stored_message{1, content_type::json, "{}", "x"}));
  REQUIRE(id_only);
  CHECK(id_only->id == "x");
  CHECK_FALSE(id_only->dead_letter);
  CHECK(id_only->body == "{}");

  CHECK_FALSE(decode_message(bytes.substr(0, 20))); // cut inside the origin
  CHECK(stored_body_bytes(bytes.substr(0, 20)) == 0);
  CHECK_FALSE(decode_message(encoder{}.u8(3).i64(1).u8(0).take())); // unknown format
}

TEST_CASE("delivery states keep a last error, and older layouts still decode") {
  delivery_state s{3, 9000, true, "timeout after 100 ms"};
  auto back = decode_state(encode(s));
  REQUIRE(back);
  CHECK(back->attempts == 3);
  CHECK(back->visible_at_ms == 9000);
  CHECK(back->pushed);
  CHECK(back->last_error == "timeout after 100 ms");
  // Without an error the record is as before.
  CHECK(encode(delivery_state{3, 9000, true}) == encoder{}.u8(1).u32(3).i64(9000).u8(1).take());
  auto no_flag = decode_state(encoder{}.u8(1).u32(2).i64(7).take());
  REQUIRE(no_flag);
  CHECK(no_flag->attempts == 2);
  CHECK_FALSE(no_flag->pushed);
  CHECK(no_flag->last_error.empty());
  auto bytes = encode(s);
  CHECK_FALSE(decode_state(bytes.substr(0, bytes.size() - 3)));
}

TEST_CASE("fan-out: a queue's consumer mode and a consumer's slot round-trip, old records "
          "decode as single and slot 0") {
  queue_record q{"acct", "0123456789abcdef0123456789abcdef", "fan", 1, 2, {}, {}, ""};
  q.settings.mode = consumer_mode::multi;
  auto back = decode_queue(encode(q));
  REQUIRE(back);
  CHECK(back->settings.mode == consumer_mode::multi);
  // Written before fan-out: ends after the jurisdiction.
  auto old_queue = encoder{}
                       .u8(1)
                       .str("acct")
                       .str(q.id)
                       .str("fan")
                       .i64(1)
                       .i64(2)
                       .u32(0)
                       .u32(600)
                       .u8(0)
                       .str("eu")
                       .take();
  auto legacy = decode_queue(old_queue);
  REQUIRE(legacy);
  CHECK(legacy->jurisdiction == "eu");
  CHECK(legacy->settings.mode == consumer_mode::single);

  consumer_record c;
  c.id = "c1";
  c.type = consumer_type::http_pull;
  c.slot = 3;
  auto c_back = decode_consumer(encode(c));
  REQUIRE(c_back);
  CHECK(c_back->slot == 3);
  auto bytes = encode(c);
  auto old_consumer = decode_consumer(bytes.substr(0, bytes.size() - 2)); // no slot field
  REQUIRE(old_consumer);
  CHECK(old_consumer->slot == 0);
  CHECK(old_consumer->id == "c1");

  CHECK(consumer_key("acct", q.id) == "consumer/acct/" + q.id);
  CHECK(consumer_key("acct", q.id, 2) == "consumer/acct/" + q.id + ".2");
  std::string account;
  std::string queue_id;
  REQUIRE(parse_consumer_key(consumer_key("acct", q.id, 2), account, queue_id));
  CHECK(account == "acct");
  CHECK(queue_id == q.id);
}
