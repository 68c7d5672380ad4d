#include <catch2/catch.hpp>
#include <simdjson.h>

#include <map>

#include "events/catalog.hpp"
#include "hub_fixture.hpp"
#include "tests/metrics_text.hpp"

using namespace sluice;
using test::code_of;

namespace {

/// A hub with a queue `inbox`, and helpers for subscriptions and publishing.
struct events_fixture : test::hub_fixture {
  std::string inbox;

  events_fixture() { inbox = create("inbox")->id; }

  caf::expected<storage::subscription_record> subscribe(std::string source,
                                                        std::vector<std::string> events,
                                                        source_fields fields = {},
                                                        std::string queue = {}) {
    subscription_patch p;
    p.name = std::string{"sub"};
    p.source_type = std::move(source);
    p.fields = std::move(fields);
    p.events = std::move(events);
    p.queue_id = queue.empty() ? inbox : queue;
    return ask<storage::subscription_record>(hub, create_subscription{"acct", p});
  }

  caf::expected<publish_result> publish(std::string source, std::string event, std::string payload,
                                        source_fields fields = {}, int64_t version = 0) {
    published_event e{std::move(source), std::move(fields), std::move(event), version,
                      std::move(payload)};
    return ask<publish_result>(hub, publish_events{"acct", {e}});
  }

  /// Bodies of every message now in `queue` (pulled and acked).
  std::vector<std::string> drain(const std::string& queue) {
    std::vector<std::string> out;
    auto b = ask_queue<pulled_batch>(pull_messages{"acct", queue, int64_t{100}, int64_t{30000}});
    REQUIRE(b);
    std::vector<std::string> leases;
    for (auto& m : b->messages) {
      out.push_back(m.body);
      leases.push_back(m.lease_id);
    }
    if (!leases.empty())
      REQUIRE(ask_queue<ack_result>(ack_messages{"acct", queue, leases, {}}));
    return out;
  }
};

} // namespace

TEST_CASE_METHOD(events_fixture, "subscriptions are validated against the catalog") {
  CHECK(code_of(subscribe("nope", {"x"}).error()) == errc::invalid_request);
  auto unknown_event = subscribe("r2", {"bucket.created", "bucket.exploded"});
  REQUIRE_FALSE(unknown_event);
  CHECK(error_message(unknown_event.error()).find("events[1]") != std::string::npos);
  auto no_model = subscribe("workersAi.model", {"batch.queued"});
  REQUIRE_FALSE(no_model);
  CHECK(error_message(no_model.error()).find("source.model_name") != std::string::npos);
  auto no_queue = subscribe("r2", {"bucket.created"}, {}, "0123456789abcdef0123456789abcdef");
  CHECK(code_of(no_queue.error()) == errc::queue_not_found);
  auto ok = subscribe("workersAi.model", {"batch.queued"}, {{"model_name", "@cf/m"}});
  REQUIRE(ok);
  CHECK(ok->source_fields == source_fields{{"model_name", "@cf/m"}});
  CHECK(ok->enabled);
}

TEST_CASE_METHOD(events_fixture,
                 "a published event reaches matching subscriptions in the envelope") {
  auto r2 = subscribe("r2", {"bucket.created"});
  REQUIRE(r2);
  auto other = create("other")->id;
  REQUIRE(subscribe("r2", {"bucket.deleted"}, {}, other));
  auto res = publish("r2", "bucket.created",
                     R"({"name":"photos","jurisdiction":"eu","storageClass":"Standard"})");
  REQUIRE(res);
  CHECK(res->deliveries == 1);
  REQUIRE(res->ids.size() == 1);
  auto bodies = drain(inbox);
  REQUIRE(bodies.size() == 1);
  CHECK(drain(other).empty());
  // JSON bodies come back as the stored text here (the HTTP layer encodes).
  simdjson::dom::parser p;
  auto env = p.parse(bodies[0]);
  REQUIRE(!env.error());
  CHECK(env["type"].get_string().value() == "cf.r2.bucket.created");
  CHECK(env["source"]["type"].get_string().value() == "r2");
  CHECK(env["payload"]["name"].get_string().value() == "photos");
  CHECK(env["metadata"]["accountId"].get_string().value() == "acct");
  CHECK(env["metadata"]["eventSubscriptionId"].get_string().value() == r2->id);
  CHECK(env["metadata"]["eventSchemaVersion"].get_int64().value() == 2); // the latest
  CHECK(env["id"].get_string().value() == res->ids[0]);
}

TEST_CASE_METHOD(events_fixture, "invalid events are refused naming the field, nothing delivered") {
  REQUIRE(subscribe("r2", {"bucket.created"}));
  auto missing = publish("r2", "bucket.created", R"({"location":"weur"})", {}, 1);
  REQUIRE_FALSE(missing);
  CHECK(code_of(missing.error()) == errc::invalid_request);
  CHECK(error_message(missing.error()).find("name") != std::string::npos);
  auto old_version = publish("r2", "bucket.created", R"({"name":"a"})", {}, 1);
  REQUIRE(old_version); // version 1 stays publishable
  CHECK(drain(inbox).size() == 1);
  auto many = ask<publish_result>(
      hub, publish_events{"acct",
                          {published_event{"r2", {}, "bucket.created", 1, R"({"name":"ok"})"},
                           published_event{"r2", {}, "bucket.created", 1, R"({"name":5})"}}});
  REQUIRE_FALSE(many);
  CHECK(error_message(many.error()).find("events[1]") != std::string::npos);
  CHECK(drain(inbox).empty());
  REQUIRE_FALSE(publish("s3", "bucket.created", R"({"name":"a"})"));
  REQUIRE_FALSE(publish("r2", "bucket.exploded", R"({"name":"a"})"));
  // docs/operations.md: by source and type, unknown ones under "unknown" (bounded labels).
  auto text = registry.expose();
  auto events = [&](const char* name, const char* source, const char* type) {
    return test::sample(text, name, {{"source", source}, {"type", type}});
  };
  CHECK(events("sluice_events_published_total", "r2", "bucket.created") == 1);
  CHECK(events("sluice_events_delivered_total", "r2", "bucket.created") == 1);
  CHECK(events("sluice_events_rejected_total", "r2", "bucket.created") == 2);
  CHECK(events("sluice_events_rejected_total", "unknown", "unknown") == 1);
  CHECK(events("sluice_events_rejected_total", "r2", "unknown") == 1);
}

TEST_CASE_METHOD(events_fixture, "source filters match, disabling and deleting stop delivery") {
  auto sub = subscribe("workersAi.model", {"batch.queued"}, {{"model_name", "@cf/a"}});
  REQUIRE(sub);
  REQUIRE(publish("workersAi.model", "batch.queued", R"({"requestId":"r1"})",
                  {{"model_name", "@cf/b"}}));
  CHECK(drain(inbox).empty()); // another model
  subscription_patch off;
  off.enabled = false;
  auto disabled = ask<storage::subscription_record>(hub, update_subscription{"acct", sub->id, off});
  REQUIRE(disabled);
  CHECK_FALSE(disabled->enabled);
  auto none = publish("workersAi.model", "batch.queued", R"({"requestId":"r1"})",
                      {{"model_name", "@cf/a"}});
  REQUIRE(none);
  CHECK(none->deliveries == 0);
  CHECK(drain(inbox).empty());
  subscription_patch on;
  on.enabled = true;
  REQUIRE(ask<storage::subscription_record>(hub, update_subscription{"acct", sub->id, on}));
  CHECK(
      publish("workersAi.model", "batch.queued", R"({"requestId":"r1"})", {{"model_name", "@cf/a"}})
          ->deliveries
      == 1);
  auto deleted = ask<storage::subscription_record>(hub, delete_subscription{"acct", sub->id});
  REQUIRE(deleted);
  CHECK(deleted->id == sub->id);
  CHECK(
      publish("workersAi.model", "batch.queued", R"({"requestId":"r1"})", {{"model_name", "@cf/a"}})
          ->deliveries
      == 0);
  CHECK(code_of(ask<storage::subscription_record>(hub, get_subscription{"acct", sub->id}).error())
        == errc::subscription_not_found);
}

TEST_CASE_METHOD(events_fixture, "subscriptions survive a restart and deliver again") {
  auto sub = subscribe("kv", {"namespace.created"});
  REQUIRE(sub);
  stop();
  start();
  auto got = ask<storage::subscription_record>(hub, get_subscription{"acct", sub->id});
  REQUIRE(got);
  CHECK(got->events == std::vector<std::string>{"namespace.created"});
  auto res = publish("kv", "namespace.created", R"({"id":"n1","name":"cfg"})");
  REQUIRE(res);
  CHECK(res->deliveries == 1);
  CHECK(ask<subscription_list>(hub, list_subscriptions{"acct", inbox})->size() == 1);
  CHECK(ask<subscription_list>(hub, list_subscriptions{"acct", "elsewhere"})->empty());
}

TEST_CASE_METHOD(events_fixture, "the hub publishes its own queue events") {
  REQUIRE(subscribe("queues", {"queue.created", "queue.deleted"}));
  auto made = create("made");
  REQUIRE(made);
  REQUIRE(ask<caf::ok_atom>(hub, delete_queue{"acct", made->id}));
  auto bodies = drain(inbox);
  REQUIRE(bodies.size() == 2);
  CHECK(bodies[0].find("cf.queues.queue.created") != std::string::npos);
  CHECK(bodies[0].find(made->id) != std::string::npos);
  CHECK(bodies[1].find("cf.queues.queue.deleted") != std::string::npos);
}

TEST_CASE_METHOD(events_fixture, "deleting the destination queue deletes its subscriptions") {
  auto other = create("other")->id;
  auto sub = subscribe("r2", {"bucket.created"}, {}, other);
  REQUIRE(sub);
  REQUIRE(ask<caf::ok_atom>(hub, delete_queue{"acct", other}));
  CHECK(code_of(ask<storage::subscription_record>(hub, get_subscription{"acct", sub->id}).error())
        == errc::subscription_not_found);
}

TEST_CASE_METHOD(events_fixture,
                 "every catalog source delivers a valid event of its latest schema") {
  for (const auto& src : events::catalog::builtin().sources()) {
    INFO("source " << src.type);
    source_fields fields;
    for (const auto& f : src.filters)
      fields.emplace_back(f, "value-of-" + f);
    const auto& ev = src.events.front();
    auto sub = subscribe(src.type, {ev.name}, fields);
    REQUIRE(sub);
    // A payload with every required field of the latest version, by type.
    std::string payload = "{";
    for (const auto& f : ev.versions.back().fields) {
      if (!f.required)
        continue;
      static const std::map<std::string, std::string> sample{
          {"string", "\"s\""}, {"integer", "1"}, {"number", "1.5"},
          {"boolean", "true"}, {"object", "{}"}, {"array", "[]"}};
      payload += (payload.size() > 1 ? ",\"" : "\"") + f.name + "\":" + sample.at(f.type);
    }
    payload += "}";
    auto res = publish(src.type, ev.name, payload, fields);
    REQUIRE(res);
    CHECK(res->deliveries == 1);
    auto bodies = drain(inbox);
    REQUIRE(bodies.size() == 1);
    CHECK(bodies[0].find("\"cf." + src.type + "." + ev.name + "\"") != std::string::npos);
    REQUIRE(ask<storage::subscription_record>(hub, delete_subscription{"acct", sub->id}));
  }
}

TEST_CASE_METHOD(events_fixture, "a message moved to the dead-letter queue is announced") {
  REQUIRE(subscribe("queues", {"message.dead_lettered"}));
  auto work = create("work")->id;
  consumer_patch c;
  c.type = std::string{"http_pull"};
  c.max_retries = int64_t{0};
  c.dead_letter_queue = std::string{"work-dlq"};
  REQUIRE(ask<storage::consumer_record>(hub, put_consumer{"acct", work, "", c}));
  REQUIRE(
      ask_queue<sent_messages>(send_messages{"acct", work, {{"poison", 1, caf::none}}, caf::none}));
  auto b = ask_queue<pulled_batch>(pull_messages{"acct", work, int64_t{1}, int64_t{1000}});
  REQUIRE(b->messages.size() == 1);
  advance(1000); // the only delivery failed: out of retries
  auto bodies = drain(inbox);
  REQUIRE(bodies.size() == 1);
  simdjson::dom::parser p;
  auto env = p.parse(bodies[0]);
  REQUIRE(!env.error());
  CHECK(env["type"].get_string().value() == "cf.queues.message.dead_lettered");
  CHECK(env["payload"]["queueId"].get_string().value() == work);
  CHECK(env["payload"]["deadLetterQueueName"].get_string().value() == "work-dlq");
  CHECK(env["payload"]["messageId"].get_string().value() == b->messages[0].id);
  CHECK(env["payload"]["attempts"].get_int64().value() == 1);
}
