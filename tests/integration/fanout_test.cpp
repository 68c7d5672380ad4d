// Fan-out queues against the real server (docs/api.md "Fan-out"): settings.consumer_mode
// "multi" on create and update, a webhook (push) consumer and a pull consumer each getting
// every message, pulls and acks naming their consumer, per-consumer backlogs in the metrics
// endpoint and Prometheus, a restart, and bad input for every new field.
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "api.hpp"
#include "tests/http_receiver.hpp"
#include "tests/metrics_text.hpp"
#include "wait.hpp"

using namespace sluice::test;

namespace {

struct fanout_api : api {
  using api::api;

  std::string add_pull(const std::string& qid, const std::string& settings = "{}") {
    auto r = call("POST", "/queues/" + qid + "/consumers",
                  R"({"type":"http_pull","settings":)" + settings + "}");
    REQUIRE(r->status == 200);
    return r->str("consumer_id");
  }

  void send_text(const std::string& qid, const std::string& text) {
    auto r = call("POST", "/queues/" + qid + "/messages",
                  R"({"content_type":"text","body":")" + text + "\"}");
    REQUIRE(r->status == 200);
  }

  std::unique_ptr<reply> pull(const std::string& qid, const std::string& consumer) {
    return call("POST", "/queues/" + qid + "/messages/pull",
                R"({"batch_size":10,"consumer_id":")" + consumer + "\"}");
  }

  /// The backlog of each consumer, from GET …/metrics.
  std::map<std::string, int64_t> backlogs(const std::string& qid) {
    auto r = call("GET", "/queues/" + qid + "/metrics");
    REQUIRE(r->status == 200);
    std::map<std::string, int64_t> out;
    simdjson::dom::array cs;
    if (r->result()["consumers"].get(cs) != simdjson::SUCCESS)
      return out;
    for (auto c : cs)
      out[std::string{c["consumer_id"].get_string().value()}] =
          c["backlog_count"].get_int64().value();
    return out;
  }
};

/// Bodies of the messages of a pull (text bodies come back raw).
std::multiset<std::string> bodies(const reply& r) {
  std::multiset<std::string> out;
  for (auto m : r.result()["messages"].get_array())
    out.insert(std::string{m["body"].get_string().value()});
  return out;
}

} // namespace

TEST_CASE("fanout: a push and a pull consumer each get every message") {
  server_process srv;
  fanout_api a{srv};
  http_receiver hook;
  REQUIRE(a.call("PUT", "/sluice/scripts/hook",
                 R"({"plugin":"webhook","env":{"URL":")" + hook.url() + "\"}}")
              ->status
          == 200);
  auto q = a.create_queue("fan", R"({"consumer_mode":"multi"})");
  auto created = a.call("GET", "/queues/" + q);
  CHECK(created->result()["settings"]["consumer_mode"].get_string().value() == "multi");
  auto pusher = a.call("POST", "/queues/" + q + "/consumers",
                       R"({"type":"worker","script_name":"hook","settings":)"
                       R"({"batch_size":10,"max_wait_time_ms":0}})");
  REQUIRE(pusher->status == 200);
  auto puller = a.add_pull(q);
  CHECK(a.call("GET", "/queues/" + q)->result()["consumers_total_count"].get_int64().value() == 2);

  a.send_text(q, "one");
  a.send_text(q, "two");
  // The webhook gets both; the pull consumer's copy stays until it pulls.
  REQUIRE(eventually([&] {
    size_t n = 0;
    for (const auto& req : hook.requests())
      n += (req.body.find("\"one\"") != std::string::npos)
           + (req.body.find("\"two\"") != std::string::npos);
    return n == 2;
  }));
  REQUIRE(eventually([&] { return a.backlogs(q)[pusher->str("consumer_id")] == 0; }));
  CHECK(a.backlogs(q)[puller] == 2);
  CHECK(a.call("GET", "/queues/" + q + "/metrics")->result()["backlog_count"].get_int64().value()
        == 2);
  auto exposition = a.call("GET", "//metrics")->body;
  CHECK(sample(exposition, "sluice_queue_consumer_backlog_messages",
               {{"account", "acct-a"}, {"consumer", puller}, {"queue", "fan"}})
        == 2);

  auto pulled = a.pull(q, puller);
  REQUIRE(pulled->status == 200);
  CHECK(bodies(*pulled) == std::multiset<std::string>{"one", "two"});
  std::string acks;
  for (auto m : pulled->result()["messages"].get_array())
    acks += std::string{acks.empty() ? "" : ","} + R"({"lease_id":")"
            + std::string{m["lease_id"].get_string().value()} + "\"}";
  auto acked = a.call("POST", "/queues/" + q + "/messages/ack",
                      R"({"consumer_id":")" + puller + R"(","acks":[)" + acks + "]}");
  REQUIRE(acked->status == 200);
  CHECK(acked->result()["ackCount"].get_int64().value() == 2);
  CHECK(a.call("GET", "/queues/" + q + "/metrics")->result()["backlog_count"].get_int64().value()
        == 0);
}

TEST_CASE("fanout: two pull consumers, a later one, and a restart") {
  server_process srv;
  fanout_api a{srv};
  auto q = a.create_queue("fan");
  // Opting in later, by PATCH (what `sluice queues update --consumer-mode` sends).
  auto patched = a.call("PATCH", "/queues/" + q, R"({"settings":{"consumer_mode":"multi"}})");
  REQUIRE(patched->status == 200);
  auto first = a.add_pull(q);
  a.send_text(q, "early");
  auto second = a.add_pull(q);
  a.send_text(q, "late");
  srv.kill9(); // every answered send is on disk, in every copy
  srv.restart();
  fanout_api a2{srv};
  CHECK(bodies(*a2.pull(q, second)) == std::multiset<std::string>{"late"});
  CHECK(bodies(*a2.pull(q, first)) == std::multiset<std::string>{"early", "late"});
  auto b = a2.backlogs(q);
  CHECK(b[first] == 2);
  CHECK(b[second] == 1);

  // Removing the second drops its copy; back to single needs one consumer left.
  auto single = a2.call("PATCH", "/queues/" + q, R"({"settings":{"consumer_mode":"single"}})");
  CHECK(single->status == 409);
  CHECK(single->error_message().find("settings.consumer_mode") != std::string::npos);
  REQUIRE(a2.call("DELETE", "/queues/" + q + "/consumers/" + second)->status == 200);
  CHECK(a2.backlogs(q).count(second) == 0);
  auto back = a2.call("PATCH", "/queues/" + q, R"({"settings":{"consumer_mode":"single"}})");
  CHECK(back->status == 200);
  CHECK(a2.call("POST", "/queues/" + q + "/messages/pull", "{}")->status == 200);
}

TEST_CASE("fanout: bad input names the field") {
  server_process srv;
  fanout_api a{srv};
  auto bad_mode =
      a.call("POST", "/queues", R"({"queue_name":"bad","settings":{"consumer_mode":"many"}})");
  CHECK(bad_mode->status == 400);
  CHECK(bad_mode->error_code() == 10026);
  CHECK(bad_mode->error_message().find("settings.consumer_mode") != std::string::npos);
  auto not_string =
      a.call("POST", "/queues", R"({"queue_name":"bad","settings":{"consumer_mode":2}})");
  CHECK(not_string->status == 400);
  CHECK(not_string->error_message().find("settings.consumer_mode") != std::string::npos);

  auto single = a.create_queue("one");
  a.add_pull(single);
  auto second = a.call("POST", "/queues/" + single + "/consumers", R"({"type":"http_pull"})");
  CHECK(second->status == 409);
  CHECK(second->error_code() == 11010);
  auto put_mode = a.call("PUT", "/queues/" + single, R"({"settings":{"consumer_mode":"x"}})");
  CHECK(put_mode->status == 400);
  CHECK(put_mode->error_message().find("settings.consumer_mode") != std::string::npos);

  auto q = a.create_queue("fan", R"({"consumer_mode":"multi"})");
  auto c = a.add_pull(q);
  a.add_pull(q);
  auto no_id = a.call("POST", "/queues/" + q + "/messages/pull", "{}");
  CHECK(no_id->status == 400);
  CHECK(no_id->error_code() == 10026);
  CHECK(no_id->error_message().find("consumer_id") != std::string::npos);
  auto no_ack_id = a.call("POST", "/queues/" + q + "/messages/ack", R"({"acks":[]})");
  CHECK(no_ack_id->status == 400);
  CHECK(no_ack_id->error_message().find("consumer_id") != std::string::npos);
  auto unknown = a.pull(q, "0123456789abcdef0123456789abcdef");
  CHECK(unknown->status == 404);
  CHECK(unknown->error_code() == 11011);
  CHECK(unknown->error_message().find("consumer_id") != std::string::npos);
  auto wrong_type = a.call("POST", "/queues/" + q + "/messages/pull", R"({"consumer_id":7})");
  CHECK(wrong_type->status == 400);
  CHECK(wrong_type->error_message().find("consumer_id") != std::string::npos);
  auto ack_type =
      a.call("POST", "/queues/" + q + "/messages/ack", R"({"consumer_id":["x"],"acks":[]})");
  CHECK(ack_type->status == 400);
  CHECK(ack_type->error_message().find("consumer_id") != std::string::npos);
  CHECK(a.pull(q, c)->status == 200);
}
