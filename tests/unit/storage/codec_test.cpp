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
