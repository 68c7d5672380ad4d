// Event subscriptions over HTTP (docs/events.md): CRUD, the catalog, publishing,
// delivery in the envelope, durability across a restart, bad input.
#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "actors/control/crypto.hpp"
#include "api.hpp"

using namespace sluice::test;

namespace {

std::string subscription_body(const std::string& queue_id, const std::string& source,
                              const std::string& events, const std::string& extra = {}) {
  return R"({"name":"s","enabled":true,"source":{"type":")" + source + "\"" + extra
         + R"(},"events":)" + events + R"(,"destination":{"type":"queues.queue","queue_id":")"
         + queue_id + "\"}}";
}

/// Pulls (and acks) everything in `queue` and returns the decoded bodies.
std::vector<std::string> drain(api& a, const std::string& queue) {
  auto pulled = a.call("POST", "/queues/" + queue + "/messages/pull", R"({"batch_size":100})");
  REQUIRE(pulled->status == 200);
  std::vector<std::string> bodies;
  std::string acks = R"({"acks":[)";
  for (auto m : pulled->result()["messages"].get_array()) {
    std::string decoded;
    REQUIRE(sluice::base64_decode(m["body"].get_string().value(), decoded));
    bodies.push_back(decoded);
    acks += (bodies.size() > 1 ? "," : "") + std::string{R"({"lease_id":")"}
            + std::string{m["lease_id"].get_string().value()} + "\"}";
  }
  if (!bodies.empty())
    REQUIRE(a.call("POST", "/queues/" + queue + "/messages/ack", acks + "]}")->status == 200);
  return bodies;
}

} // namespace

TEST_CASE("event subscriptions: CRUD, paging, queue filter, sources") {
  server_process srv;
  api a{srv};
  auto inbox = a.create_queue("inbox");
  auto other = a.create_queue("other");
  auto created = a.call("POST", "/event_subscriptions/subscriptions",
                        subscription_body(inbox, "workersAi.model", R"(["batch.queued"])",
                                          R"(,"model_name":"@cf/meta/llama")"));
  REQUIRE(created->status == 200);
  auto id = created->str("id");
  CHECK(created->result()["source"]["model_name"].get_string().value() == "@cf/meta/llama");
  CHECK(created->result()["destination"]["queue_id"].get_string().value() == inbox);
  REQUIRE(a.call("POST", "/event_subscriptions/subscriptions",
                 subscription_body(other, "r2", R"(["bucket.created"])"))
              ->status
          == 200);

  auto all = a.call("GET", "/event_subscriptions/subscriptions?page=1&per_page=1");
  CHECK(all->result().get_array().size() == 1);
  CHECK(all->json["result_info"]["total_count"].get_int64().value() == 2);
  auto by_source = a.call("GET", "/event_subscriptions/subscriptions?order=source&direction=desc");
  REQUIRE(by_source->result().get_array().size() == 2);
  CHECK(by_source->result().at(0)["source"]["type"].get_string().value() == "workersAi.model");
  CHECK(a.call("GET", "/event_subscriptions/subscriptions?order=color")->status == 400);
  auto filtered = a.call("GET", "/event_subscriptions/subscriptions?queue_id=" + other);
  REQUIRE(filtered->result().get_array().size() == 1);
  CHECK(filtered->result().at(0)["source"]["type"].get_string().value() == "r2");

  auto patched = a.call("PATCH", "/event_subscriptions/subscriptions/" + id,
                        R"({"enabled":false,"name":"renamed"})");
  REQUIRE(patched->status == 200);
  CHECK_FALSE(patched->result()["enabled"].get_bool().value());
  CHECK(patched->str("name") == "renamed");
  CHECK(a.call("GET", "/event_subscriptions/subscriptions/" + id)->str("name") == "renamed");
  auto deleted = a.call("DELETE", "/event_subscriptions/subscriptions/" + id);
  REQUIRE(deleted->status == 200);
  CHECK(deleted->str("id") == id);
  CHECK(a.call("GET", "/event_subscriptions/subscriptions/" + id)->status == 404);

  auto sources = a.call("GET", "/event_subscriptions/sources");
  REQUIRE(sources->status == 200);
  std::set<std::string> types;
  for (auto s : sources->result().get_array())
    types.emplace(s["type"].get_string().value());
  for (auto t :
       {"access", "r2", "superSlurper", "vectorize", "workersAi.model", "workersBuilds.worker",
        "kv", "workflows.workflow", "images", "workers.script", "queues"})
    CHECK(types.count(t) == 1);
}

TEST_CASE("publishing delivers the envelope durably to every matching subscription") {
  server_process srv;
  api a{srv};
  auto inbox = a.create_queue("inbox");
  auto sub = a.call("POST", "/event_subscriptions/subscriptions",
                    subscription_body(inbox, "workflows.workflow",
                                      R"(["instance.queued","instance.completed"])",
                                      R"(,"workflow_name":"billing")"));
  REQUIRE(sub->status == 200);
  auto one = a.call("POST", "/event_subscriptions/events",
                    R"({"source":{"type":"workflows.workflow","workflow_name":"billing"},)"
                    R"("event":"instance.queued","payload":{"versionId":"v1","instanceId":"i1"}})");
  REQUIRE(one->status == 200);
  CHECK(one->result()["deliveries"].get_int64().value() == 1);
  auto batch =
      a.call("POST", "/event_subscriptions/events",
             R"({"events":[{"source":{"type":"workflows.workflow","workflow_name":"billing"},)"
             R"("event":"instance.completed","payload":{"versionId":"v1","instanceId":"i2"}},)"
             R"({"source":{"type":"workflows.workflow","workflow_name":"other"},)"
             R"("event":"instance.queued","payload":{"versionId":"v1","instanceId":"i3"}}]})");
  REQUIRE(batch->status == 200);
  CHECK(batch->result()["ids"].get_array().size() == 2);
  CHECK(batch->result()["deliveries"].get_int64().value() == 1);

  srv.kill9(); // answered means synced
  srv.restart();
  api after{srv}; // the new port
  auto bodies = drain(after, inbox);
  REQUIRE(bodies.size() == 2);
  simdjson::dom::parser p;
  std::set<std::string> instances;
  for (const auto& b : bodies) {
    auto env = p.parse(b);
    REQUIRE(!env.error());
    CHECK(env["source"]["workflowName"].get_string().value() == "billing");
    CHECK(env["metadata"]["eventSubscriptionId"].get_string().value() == sub->str("id"));
    CHECK(env["metadata"]["eventSchemaVersion"].get_int64().value() == 1);
    CHECK(std::string{env["metadata"]["eventTimestamp"].get_string().value()}.size() == 24);
    instances.emplace(env["payload"]["instanceId"].get_string().value());
  }
  CHECK(instances == std::set<std::string>{"i1", "i2"});

  // The subscription came back after the restart too.
  CHECK(after
            .call("POST", "/event_subscriptions/events",
                  R"({"source":{"type":"workflows.workflow","workflow_name":"billing"},)"
                  R"("event":"instance.queued","payload":{"versionId":"v","instanceId":"i4"}})")
            ->result()["deliveries"]
            .get_int64()
            .value()
        == 1);
}

TEST_CASE("event bad input: unknown source or event, missing fields, permissions") {
  server_process srv;
  api a{srv};
  auto inbox = a.create_queue("inbox");
  auto bad_source = a.call("POST", "/event_subscriptions/subscriptions",
                           subscription_body(inbox, "nowhere", R"(["x"])"));
  CHECK(bad_source->status == 400);
  CHECK(bad_source->error_message().find("nowhere") != std::string::npos);
  auto bad_event = a.call("POST", "/event_subscriptions/subscriptions",
                          subscription_body(inbox, "r2", R"(["bucket.melted"])"));
  CHECK(bad_event->status == 400);
  CHECK(bad_event->error_message().find("bucket.melted") != std::string::npos);
  auto no_worker = a.call("POST", "/event_subscriptions/subscriptions",
                          subscription_body(inbox, "workersBuilds.worker", R"(["build.failed"])"));
  CHECK(no_worker->status == 400);
  CHECK(no_worker->error_message().find("worker_name") != std::string::npos);
  auto no_queue =
      a.call("POST", "/event_subscriptions/subscriptions",
             subscription_body("0123456789abcdef0123456789abcdef", "r2", R"(["bucket.created"])"));
  CHECK(no_queue->status == 404);
  auto wrong_type = a.call("POST", "/event_subscriptions/subscriptions",
                           R"({"source":{"type":"r2"},"events":"bucket.created"})");
  CHECK(wrong_type->status == 400);
  CHECK(wrong_type->error_message().find("events") != std::string::npos);

  auto bad_payload = a.call("POST", "/event_subscriptions/events",
                            R"({"source":{"type":"r2"},"event":"bucket.created",)"
                            R"("schema_version":1,"payload":{"name":42}})");
  CHECK(bad_payload->status == 400);
  CHECK(bad_payload->error_message().find("name") != std::string::npos);
  auto bad_version = a.call("POST", "/event_subscriptions/events",
                            R"({"source":{"type":"r2"},"event":"bucket.created",)"
                            R"("schema_version":9,"payload":{"name":"a"}})");
  CHECK(bad_version->status == 400);
  CHECK(a.call("POST", "/event_subscriptions/events", "{not json")->status == 400);

  // A token without events_publish may not publish.
  auto tok = a.call("POST", "/sluice/tokens", R"({"permissions":["queues_read","queues_write"]})");
  REQUIRE(tok->status == 200);
  api limited{srv, "acct-a", tok->str("value")};
  auto refused = limited.call("POST", "/event_subscriptions/events",
                              R"({"source":{"type":"r2"},"event":"bucket.deleted",)"
                              R"("payload":{"name":"a"}})");
  CHECK(refused->status == 403);
  CHECK(refused->error_message().find("events_publish") != std::string::npos);
  CHECK(a.call("GET", "/queues")->status == 200); // still serving
}

TEST_CASE("disabling a subscription stops delivery at once, with events in flight") {
  server_process srv;
  api a{srv};
  auto inbox = a.create_queue("inbox");
  auto sub = a.call("POST", "/event_subscriptions/subscriptions",
                    subscription_body(inbox, "r2", R"(["bucket.deleted"])"));
  REQUIRE(sub->status == 200);
  std::atomic<bool> disabled{false}, stop{false};
  std::atomic<int64_t> delivered{0}, delivered_after{0}, published_after{0}, failures{0};
  // Catch2 is not thread-safe: the publisher only counts; the checks come after.
  std::thread publisher([&] {
    auto client = srv.client();
    simdjson::dom::parser p;
    const std::vector<std::pair<std::string, std::string>> headers{
        {"authorization", "Bearer " + srv.token()}};
    while (!stop) {
      bool after = disabled.load();
      auto r = client->send("POST", "/client/v4/accounts/acct-a/event_subscriptions/events",
                            R"({"source":{"type":"r2"},"event":"bucket.deleted",)"
                            R"("payload":{"name":"b"}})",
                            headers);
      int64_t n = 0;
      if (r.status != 200 || p.parse(r.body)["result"]["deliveries"].get(n)) {
        ++failures;
        continue;
      }
      delivered += n;
      if (after) {
        delivered_after += n;
        ++published_after;
      }
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto off = a.call("PATCH", "/event_subscriptions/subscriptions/" + sub->str("id"),
                    R"({"enabled":false})");
  disabled = true; // every publish sent from now on comes after the disable's answer
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  publisher.join();
  REQUIRE(off->status == 200);
  CHECK(failures == 0);
  CHECK(delivered > 0);
  CHECK(published_after > 0);
  CHECK(delivered_after == 0);
  // Exactly what publishers were told was delivered is in the queue, no more.
  auto metrics = a.call("GET", "/queues/" + inbox + "/metrics");
  CHECK(metrics->result()["backlog_count"].get_int64().value() == delivered.load());
}
