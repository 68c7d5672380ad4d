#include <set>
#include <thread>

#include "api.hpp"

using namespace sluice::test;

namespace {

std::vector<std::string> lease_ids(const reply& r) {
  std::vector<std::string> out;
  for (auto m : r.result()["messages"].get_array())
    out.emplace_back(m["lease_id"].get_string().value());
  return out;
}

std::string acks_body(const std::vector<std::string>& ids) {
  std::string body = R"({"acks":[)";
  for (size_t i = 0; i < ids.size(); ++i)
    body += (i ? "," : "") + std::string{R"({"lease_id":")"} + ids[i] + "\"}";
  return body + "]}";
}

} // namespace

TEST_CASE("send, pull, ack and retry over HTTP with body encodings") {
  server_process srv;
  api a{srv};
  auto q = "/queues/" + a.create_queue("work");
  auto sent = a.call("POST", q + "/messages", R"({"body":{"k":"v"}})");
  REQUIRE(sent->status == 200);
  CHECK(sent->result()["metadata"]["metrics"]["backlog_count"].get_int64().value() == 1);
  REQUIRE(a.call("POST", q + "/messages/batch",
                 R"({"messages":[{"body":"plain","content_type":"text"},)"
                 R"({"body":"AAEC","content_type":"bytes"}]})")
              ->status
          == 200);

  auto pulled = a.call("POST", q + "/messages/pull", R"({"batch_size":10})");
  REQUIRE(pulled->status == 200);
  std::set<std::string> bodies;
  for (auto m : pulled->result()["messages"].get_array()) {
    CHECK(m["attempts"].get_int64().value() == 1);
    bodies.emplace(m["body"].get_string().value());
  }
  // text raw; json and bytes base64 (docs/api.md)
  CHECK(bodies == std::set<std::string>{"plain", "eyJrIjoidiJ9", "AAEC"});

  auto ids = lease_ids(*pulled);
  auto ack = a.call("POST", q + "/messages/ack",
                    R"({"acks":[{"lease_id":")" + ids[0]
                        + R"("},{"lease_id":"bogus"}],)"
                          R"("retries":[{"lease_id":")"
                        + ids[1] + R"(","delay_seconds":0}]})");
  REQUIRE(ack->status == 200);
  CHECK(ack->result()["ackCount"].get_int64().value() == 1);
  CHECK(ack->result()["retryCount"].get_int64().value() == 1);
  CHECK(ack->result()["warnings"]["bogus"].is_string());

  auto again = a.call("POST", q + "/messages/pull", R"({"batch_size":10})");
  REQUIRE(again->result()["messages"].get_array().size() == 1);
  CHECK(again->result()["messages"].at(0)["attempts"].get_int64().value() == 2);
  auto m = a.call("GET", q + "/metrics");
  CHECK(m->result()["backlog_count"].get_int64().value() == 2);
}

TEST_CASE("delays, visibility expiry with late acks, and pause over HTTP") {
  server_process srv;
  api a{srv};
  auto q = "/queues/" + a.create_queue("timed");
  a.call("POST", q + "/messages", R"({"body":1,"delay_seconds":1})");
  CHECK(a.call("POST", q + "/messages/pull", "{}")->result()["messages"].get_array().size() == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  auto first = a.call("POST", q + "/messages/pull", R"({"visibility_timeout_ms":300})");
  REQUIRE(first->result()["messages"].get_array().size() == 1);
  auto old_lease = lease_ids(*first).at(0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto second = a.call("POST", q + "/messages/pull", R"({"visibility_timeout":30000})");
  REQUIRE(second->result()["messages"].get_array().size() == 1);
  CHECK(second->result()["messages"].at(0)["attempts"].get_int64().value() == 2);
  CHECK(a.call("POST", q + "/messages/ack", acks_body({old_lease}))
            ->result()["ackCount"]
            .get_int64()
            .value()
        == 1); // late ack accepted

  a.call("PATCH", q, R"({"settings":{"delivery_paused":true}})");
  CHECK(a.call("POST", q + "/messages", R"({"body":2})")->status == 200);
  auto paused = a.call("POST", q + "/messages/pull", "{}");
  CHECK(paused->status == 409);
  CHECK(paused->error_code() == 11012);
  a.call("PATCH", q, R"({"settings":{"delivery_paused":false}})");
  CHECK(a.call("POST", q + "/messages/pull", "{}")->result()["messages"].get_array().size() == 1);
}

TEST_CASE("concurrent pullers never share a leased message") {
  server_process srv;
  api a{srv};
  auto q = "/queues/" + a.create_queue("shared");
  for (int i = 0; i < 10; ++i) {
    std::string batch = R"({"messages":[)";
    for (int j = 0; j < 50; ++j)
      batch += std::string{j ? "," : ""} + R"({"body":)" + std::to_string(i * 50 + j) + "}";
    REQUIRE(a.call("POST", q + "/messages/batch", batch + "]}")->status == 200);
  }
  std::vector<std::vector<std::string>> seen(4);
  std::vector<std::thread> pullers;
  for (size_t t = 0; t < seen.size(); ++t)
    pullers.emplace_back([&, t] {
      api mine{srv};
      for (int round = 0; round < 10; ++round) {
        auto r = mine.call("POST", q + "/messages/pull", R"({"batch_size":20})");
        for (auto m : r->result()["messages"].get_array())
          seen[t].emplace_back(m["id"].get_string().value());
      }
    });
  for (auto& p : pullers)
    p.join();
  std::set<std::string> all;
  size_t total = 0;
  for (auto& s : seen) {
    total += s.size();
    all.insert(s.begin(), s.end());
  }
  CHECK(total == 500);
  CHECK(all.size() == total);
}

TEST_CASE("consumers API: one per queue, dead-letter queue created, embedded in the queue") {
  server_process srv;
  api a{srv};
  auto id = a.create_queue("with-consumer");
  auto c = a.call("POST", "/queues/" + id + "/consumers",
                  R"({"type":"http_pull","dead_letter_queue":"dlq-x",)"
                  R"("settings":{"max_retries":0,"visibility_timeout_ms":200}})");
  REQUIRE(c->status == 200);
  CHECK(a.call("POST", "/queues/" + id + "/consumers", R"({"type":"http_pull"})")->status == 409);
  auto other = a.create_queue("other");
  auto bad_type = a.call("POST", "/queues/" + other + "/consumers", R"({"type":"carrier-pigeon"})");
  CHECK(bad_type->status == 400);
  CHECK(bad_type->error_message().find("type") != std::string::npos);
  auto queue = a.call("GET", "/queues/" + id);
  CHECK(queue->result()["consumers_total_count"].get_int64().value() == 1);
  auto dlq = a.call("GET", "/queues?name=dlq-x");
  REQUIRE(dlq->result().get_array().size() == 1);
  auto dlq_id = std::string{dlq->result().at(0)["queue_id"].get_string().value()};

  a.call("POST", "/queues/" + id + "/messages", R"({"body":"doomed","content_type":"text"})");
  auto first = a.call("POST", "/queues/" + id + "/messages/pull", "{}");
  std::string first_id{first->result()["messages"].at(0)["id"].get_string().value()};
  std::this_thread::sleep_for(std::chrono::milliseconds(1500)); // lease expires, no retries left
  auto dead = a.call("POST", "/queues/" + dlq_id + "/messages/pull", "{}");
  REQUIRE(dead->result()["messages"].get_array().size() == 1);
  auto m = dead->result()["messages"].at(0);
  CHECK(m["body"].get_string().value() == "doomed");
  CHECK(m["id"].get_string().value() == first_id); // kept
  CHECK(m["dead_letter"]["source_queue_id"].get_string().value() == id);
  CHECK(m["dead_letter"]["source_queue_name"].get_string().value() == "with-consumer");
  CHECK(m["dead_letter"]["reason"].get_string().value() == "retries_exhausted");
  CHECK(m["dead_letter"]["last_error"].is_null()); // a pull consumer reports none
  CHECK(m["dead_letter"]["attempts"].get_int64().value() == 1);
}
