// Push delivery against the real server (docs/api.md, docs/plugins.md): worker consumers running
// the example plugins from --plugin-dir, the built-in webhook against a real HTTP receiver
// (concurrency rising with a slow one, retries and dead-lettering with a failing one), and
// the built-in file-sink across pause, resume and a restart.
#include <chrono>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "api.hpp"
#include "tests/http_receiver.hpp"
#include "wait.hpp"

using namespace sluice::test;

namespace {

struct push_api : api {
  using api::api;

  void deploy(const std::string& name, const std::string& plugin, const std::string& env) {
    auto r = call("PUT", "/sluice/scripts/" + name,
                  R"({"plugin":")" + plugin + R"(","env":)" + env + "}");
    REQUIRE(r->status == 200);
  }

  void consume(const std::string& qid, const std::string& script, const std::string& settings,
               const std::string& dlq = {}) {
    auto r = call("POST", "/queues/" + qid + "/consumers",
                  R"({"type":"worker","script_name":")" + script + R"(","dead_letter_queue":")"
                      + dlq + R"(","settings":)" + settings + "}");
    REQUIRE(r->status == 200);
  }

  void send_texts(const std::string& qid, int n, const std::string& prefix = "m") {
    for (int start = 0; start < n; start += 100) {
      std::string body = R"({"messages":[)";
      for (int i = start; i < std::min(n, start + 100); ++i)
        body += (i > start ? "," : "") + std::string{R"({"content_type":"text","body":")"} + prefix
                + std::to_string(i) + "\"}";
      REQUIRE(call("POST", "/queues/" + qid + "/messages/batch", body + "]}")->status == 200);
    }
  }

  void send_text(const std::string& qid, const std::string& text) {
    auto r = call("POST", "/queues/" + qid + "/messages",
                  R"({"content_type":"text","body":")" + text + "\"}");
    REQUIRE(r->status == 200);
  }

  int64_t backlog(const std::string& qid) {
    return call("GET", "/queues/" + qid + "/metrics")
        ->result()["backlog_count"]
        .get_int64()
        .value();
  }

  void pause(const std::string& qid, bool paused) {
    auto r = call("PATCH", "/queues/" + qid,
                  std::string{R"({"settings":{"delivery_paused":)"} + (paused ? "true" : "false")
                      + "}}");
    REQUIRE(r->status == 200);
  }
};

/// The NDJSON lines under `dir` (file-sink output).
size_t ndjson_lines(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    for (char c : read_file(it->path().string()))
      n += c == '\n';
  return n;
}

} // namespace

TEST_CASE("push: the example plugins run from --plugin-dir") {
  server_process srv{"integration-token", {"--plugin-dir", SLUICE_EXAMPLE_PLUGIN_DIR}};
  push_api a{srv};
  a.deploy("logger", "log", R"({"PREFIX":"itest-log"})");
  auto logged = a.create_queue("logged");
  a.consume(logged, "logger", R"({"batch_size":5,"max_wait_time_ms":100})");
  a.send_texts(logged, 3, "hello-");
  REQUIRE(eventually([&] { return a.backlog(logged) == 0; }));
  auto err = srv.log();
  CHECK(err.find("itest-log: queue logged, 3 message(s)") != std::string::npos);
  CHECK(err.find("hello-2") != std::string::npos);

  a.deploy("retrier", "backoff", "{}");
  auto flaky = a.create_queue("flaky");
  a.consume(flaky, "retrier", R"({"batch_size":2,"max_wait_time_ms":0,"max_retries":5})");
  a.send_text(flaky, "fine");
  a.send_text(flaky, "fail");
  REQUIRE(eventually([&] { return a.backlog(flaky) == 1; })); // "fine" acked
  // "fail" comes back after 2^attempts seconds: attempts grow, it is never acked.
  REQUIRE(eventually(
      [&] {
        auto peek = a.call("POST", "/queues/" + flaky + "/messages/peek", "{}");
        auto ms = peek->result()["messages"].get_array();
        return ms.size() == 1 && ms.at(0)["attempts"].get_int64().value() >= 2;
      },
      20));
  CHECK(a.backlog(flaky) == 1);
}

TEST_CASE("push: a slow webhook gets concurrent batches, a failing one dead-letters") {
  server_process srv;
  push_api a{srv};
  http_receiver slow{http_receiver::ok_empty, std::chrono::milliseconds(300)};
  a.deploy("slow-hook", "webhook", R"({"URL":")" + slow.url() + "\"}");
  auto jobs = a.create_queue("jobs");
  a.consume(jobs, "slow-hook", R"({"batch_size":10,"max_wait_time_ms":50})");
  a.send_texts(jobs, 600);
  REQUIRE(eventually([&] { return a.backlog(jobs) == 0; }));
  std::set<std::string> bodies;
  for (const auto& r : slow.requests()) {
    simdjson::dom::parser p;
    auto doc = p.parse(r.body);
    REQUIRE(!doc.error());
    CHECK(doc.value()["queue"].get_string().value() == "jobs");
    for (auto m : doc.value()["messages"].get_array())
      bodies.insert(std::string{m["body"].get_string().value()});
  }
  CHECK(bodies.size() == 600);
  // One batch at a time would take 60 x 300 ms; the controller adds concurrency while the
  // backlog is large and batches succeed.
  CHECK(slow.max_in_flight() >= 3);

  http_receiver broken{[](const sluice::http::request&) {
    return sluice::http::response{500, "down", "text/plain", {}};
  }};
  a.deploy("broken-hook", "webhook", R"({"URL":")" + broken.url() + "\"}");
  auto doomed = a.create_queue("doomed");
  a.consume(doomed, "broken-hook", R"({"batch_size":10,"max_wait_time_ms":0,"max_retries":1})",
            "doomed-dlq");
  a.send_texts(doomed, 2);
  auto dlq = a.call("GET", "/queues?name=doomed-dlq")->result().at(0)["queue_id"].get_string();
  std::string dlq_id{dlq.value()};
  REQUIRE(eventually([&] { return a.backlog(dlq_id) == 2 && a.backlog(doomed) == 0; }));
  CHECK(broken.count() >= 2); // the first delivery and one retry
}

TEST_CASE("push: a webhook answering after 1 s has more than 8 batches in flight with 8 "
          "plugin threads") {
  // The built-in webhook waits for its receiver without holding a plugin thread, so the
  // concurrency controller, not --plugin-threads, bounds the batches in flight.
  server_process srv{"integration-token", {"--plugin-threads", "8"}};
  push_api a{srv};
  http_receiver slow{http_receiver::ok_empty, std::chrono::milliseconds(1000)};
  a.deploy("slow-hook", "webhook", R"({"URL":")" + slow.url() + "\"}");
  auto jobs = a.create_queue("slow-jobs");
  a.consume(jobs, "slow-hook", R"({"batch_size":10,"max_wait_time_ms":0})");
  a.send_texts(jobs, 4000);
  // The controller adds about one batch per second while the backlog is large.
  const bool reached = eventually([&] { return slow.max_in_flight() > 8; }, 120);
  INFO("most batches in flight at once: " << slow.max_in_flight());
  CHECK(reached);
  CHECK(slow.count() > 8);
}

TEST_CASE("push: file-sink across pause, resume and a restart") {
  server_process srv;
  auto sink = srv.data_dir() + "/data/sinks/archive"; // DIR is under the sink root
  std::string qid;
  {
    push_api a{srv};
    a.deploy("sink", "file-sink", R"({"DIR":"archive"})");
    qid = a.create_queue("archive");
    a.pause(qid, true);
    a.consume(qid, "sink", R"({"batch_size":100,"max_wait_time_ms":200})");
    a.send_texts(qid, 5);
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    CHECK(ndjson_lines(sink) == 0); // paused: nothing delivered
    CHECK(a.backlog(qid) == 5);
    a.pause(qid, false);
    REQUIRE(eventually([&] { return a.backlog(qid) == 0; }));
    CHECK(ndjson_lines(sink) == 5);
  }
  CHECK(srv.terminate() == 0); // a clean stop with a push consumer running
  srv.restart();               // the script and the consumer are recovered
  push_api b{srv};
  b.send_texts(qid, 2, "after-");
  REQUIRE(eventually([&] { return b.backlog(qid) == 0; }));
  CHECK(ndjson_lines(sink) == 7);
}

TEST_CASE("push: a webhook's decisions on an error status are kept, in the order it made them") {
  server_process srv;
  push_api a{srv};
  std::mutex mtx;
  std::multiset<std::string> seen; // "body@attempts"
  // Always HTTP 500 ("decided, then threw"): "ok…" messages are acked; "twice" is
  // retried then acked on its first delivery (the first call wins: a retry), acked on
  // its second; "bad…" messages are left undecided, so retried and dead-lettered.
  http_receiver receiver{[&](const sluice::http::request& req) {
    simdjson::dom::parser p;
    auto doc = p.parse(req.body);
    std::string decisions;
    for (auto m : doc.value()["messages"].get_array()) {
      std::string body{m["body"].get_string().value()};
      std::string id{m["id"].get_string().value()};
      auto attempts = m["attempts"].get_int64().value();
      {
        std::lock_guard<std::mutex> lock{mtx};
        seen.insert(body + "@" + std::to_string(attempts));
      }
      auto add = [&](const std::string& op) {
        decisions += (decisions.empty() ? "" : ",") + std::string{R"({"id":")"} + id + R"(","op":")"
                     + op + R"(","delay_seconds":0})";
      };
      if (body.rfind("ok", 0) == 0)
        add("ack");
      else if (body == "twice" && attempts == 1) {
        add("retry");
        add("ack");
      } else if (body == "twice")
        add("ack");
    }
    return sluice::http::response{
        500, R"({"decisions":[)" + decisions + "]}", "application/json", {}};
  }};
  a.deploy("deciding-hook", "webhook", R"({"URL":")" + receiver.url() + "\"}");
  auto q = a.create_queue("decided");
  a.consume(q, "deciding-hook", R"({"batch_size":10,"max_wait_time_ms":0,"max_retries":1})",
            "decided-dlq");
  a.send_text(q, "ok1");
  a.send_text(q, "twice");
  a.send_text(q, "bad1");
  a.send_text(q, "ok2");
  auto dlq = a.call("GET", "/queues?name=decided-dlq")->result().at(0)["queue_id"].get_string();
  std::string dlq_id{dlq.value()};
  REQUIRE(eventually([&] { return a.backlog(q) == 0 && a.backlog(dlq_id) == 1; }));
  std::lock_guard<std::mutex> lock{mtx};
  CHECK(seen.count("ok1@1") == 1);
  CHECK(seen.count("ok2@1") == 1);
  CHECK(seen.count("ok1@2") == 0); // acked before the 500: not delivered again
  CHECK(seen.count("twice@1") == 1);
  CHECK(seen.count("twice@2") == 1); // retry-then-ack was a retry
  CHECK(seen.count("twice@3") == 0);
  CHECK(seen.count("bad1@2") == 1); // undecided: retried, then dead-lettered
  auto dead = a.call("POST", "/queues/" + dlq_id + "/messages/pull", R"({"batch_size":10})");
  REQUIRE(dead->result()["messages"].get_array().size() == 1);
  CHECK(dead->result()["messages"].at(0)["body"].get_string().value() == "bad1");
}

TEST_CASE("push: a dead letter keeps its id and names its queue and the webhook's error") {
  server_process srv;
  push_api a{srv};
  http_receiver broken{[](const sluice::http::request&) {
    return sluice::http::response{503, "maintenance", "text/plain", {}};
  }};
  a.deploy("broken-hook", "webhook", R"({"URL":")" + broken.url() + "\"}");
  auto orders = a.create_queue("orders");
  a.consume(orders, "broken-hook", R"({"batch_size":10,"max_wait_time_ms":0,"max_retries":1})",
            "orders-dlq");
  auto consumer = a.call("GET", "/queues/" + orders)->result()["consumers"].at(0);
  std::string consumer_id{consumer["consumer_id"].get_string().value()};
  a.send_text(orders, "poison");
  auto dlq_id = std::string{
      a.call("GET", "/queues?name=orders-dlq")->result().at(0)["queue_id"].get_string().value()};
  REQUIRE(eventually([&] { return a.backlog(dlq_id) == 1 && a.backlog(orders) == 0; }));
  // The id the webhook was given, on both deliveries.
  std::set<std::string> ids;
  for (const auto& r : broken.requests()) {
    simdjson::dom::parser p;
    auto doc = p.parse(r.body);
    REQUIRE(!doc.error());
    for (auto m : doc.value()["messages"].get_array())
      ids.insert(std::string{m["id"].get_string().value()});
  }
  REQUIRE(ids.size() == 1);
  auto id = *ids.begin();

  auto check = [&](auto m) {
    CHECK(m["id"].get_string().value() == id);
    CHECK(m["body"].get_string().value() == "poison");
    // Cloudflare's own fields are as they were.
    CHECK(m["metadata"]["CF-Content-Type"].get_string().value() == "text");
    CHECK(m["metadata"]["CF-sourceMessageSource"].get_string().value() == "api");
    auto d = m["dead_letter"];
    CHECK(d["source_queue_id"].get_string().value() == orders);
    CHECK(d["source_queue_name"].get_string().value() == "orders");
    CHECK(d["consumer_id"].get_string().value() == consumer_id);
    CHECK(d["reason"].get_string().value() == "retries_exhausted");
    std::string err{d["last_error"].get_string().value()};
    INFO(err);
    CHECK(err.find("answered HTTP 503") != std::string::npos);
    CHECK(err.rfind("exception: webhook: POST " + broken.url(), 0) == 0);
    CHECK(d["attempts"].get_int64().value() == 2);
    CHECK(d["dead_lettered_at_ms"].get_int64().value() > 0);
  };
  auto peeked = a.call("POST", "/queues/" + dlq_id + "/messages/peek", "{}");
  REQUIRE(peeked->status == 200);
  REQUIRE(peeked->result()["messages"].get_array().size() == 1);
  check(peeked->result()["messages"].at(0));

  srv.kill9();
  srv.restart();
  push_api b{srv};
  auto pulled = b.call("POST", "/queues/" + dlq_id + "/messages/pull", R"({"batch_size":10})");
  REQUIRE(pulled->status == 200);
  REQUIRE(pulled->result()["messages"].get_array().size() == 1);
  auto m = pulled->result()["messages"].at(0);
  check(m);
  CHECK(m["attempts"].get_int64().value() == 1);
  std::string lease{m["lease_id"].get_string().value()};
  auto acked = b.call("POST", "/queues/" + dlq_id + "/messages/ack",
                      R"({"acks":[{"lease_id":")" + lease + R"("}]})");
  REQUIRE(acked->status == 200);
  CHECK(acked->result()["ackCount"].get_int64().value() == 1);
  CHECK(b.backlog(dlq_id) == 0);
  // A message sent straight to a queue has no dead_letter object.
  b.send_text(dlq_id, "fresh");
  auto fresh = b.call("POST", "/queues/" + dlq_id + "/messages/peek", "{}");
  CHECK(fresh->result()["messages"].at(0)["dead_letter"].error() == simdjson::NO_SUCH_FIELD);
}
