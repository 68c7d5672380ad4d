// Deduplicated sends against the real server (docs/api.md, "Deduplicated
// sends"): a repeat is answered with the original id and stores nothing, the
// window expires, survives kill -9, the Idempotency-Key header is a single
// send's dedup id, and bad input is refused naming the field.
#include <chrono>
#include <thread>

#include "api.hpp"
#include "cli_runner.hpp"

using namespace sluice::test;

namespace {

int64_t backlog(api& a, const std::string& qid) {
  auto m = a.call("GET", "/queues/" + qid + "/metrics");
  REQUIRE(m->status == 200);
  return m->result()["backlog_count"].get_int64().value();
}

std::string send_one(api& a, const std::string& qid, const std::string& body) {
  auto r = a.call("POST", "/queues/" + qid + "/messages", body);
  INFO(r->body);
  REQUIRE(r->status == 200);
  // SDK 7.3 reads the metrics; the id is new.
  CHECK(r->result()["metadata"]["metrics"]["backlog_count"].is_int64());
  return r->str("message_id");
}

/// A single send with an Idempotency-Key header.
std::unique_ptr<reply> send_keyed(const server_process& srv, const std::string& qid,
                                  const std::string& key, const std::string& body) {
  auto client = srv.client();
  auto res = client->send("POST", "/client/v4/accounts/acct-a/queues/" + qid + "/messages", body,
                          {{"authorization", "Bearer " + srv.token()}, {"Idempotency-Key", key}});
  auto r = std::make_unique<reply>();
  r->status = res.status;
  r->body = std::move(res.body);
  auto parsed = r->parser.parse(r->body);
  REQUIRE(!parsed.error());
  r->json = parsed.value();
  return r;
}

} // namespace

TEST_CASE("a repeated dedup id is answered with the original id and stores nothing") {
  server_process srv;
  api a{srv};
  auto qid = a.create_queue("dedup-once");
  auto first = send_one(a, qid, R"({"body":"a","dedup_id":"order-1"})");
  CHECK(first.size() == 32);
  CHECK(send_one(a, qid, R"({"body":"a","dedup_id":"order-1"})") == first);
  CHECK(send_one(a, qid, R"({"body":"b","dedup_id":"order-2"})") != first);
  CHECK(backlog(a, qid) == 2);

  auto batch =
      a.call("POST", "/queues/" + qid + "/messages/batch",
             R"({"messages":[{"body":"a","dedup_id":"order-1"},{"body":"c","dedup_id":"order-3"},)"
             R"({"body":"d"}]})");
  INFO(batch->body);
  REQUIRE(batch->status == 200);
  auto ids = batch->result()["message_ids"].get_array().value();
  REQUIRE(ids.size() == 3);
  CHECK(std::string{ids.at(0).get_string().value()} == first);
  CHECK(backlog(a, qid) == 4); // order-3 and the plain one are new

  // The pulled message carries the id the send answered.
  auto pulled = a.call("POST", "/queues/" + qid + "/messages/pull", R"({"batch_size":10})");
  bool seen = false;
  simdjson::dom::array messages = pulled->result()["messages"].get_array().value();
  for (auto m : messages)
    seen = seen || std::string{m["id"].get_string().value()} == first;
  CHECK(seen);
}

TEST_CASE("the dedup window survives kill -9") {
  server_process srv;
  std::string qid;
  std::string first;
  {
    api a{srv};
    qid = a.create_queue("dedup-durable");
    first = send_one(a, qid, R"({"body":"a","dedup_id":"pay-42"})");
  }
  srv.kill9();
  srv.restart();
  api a{srv};
  CHECK(send_one(a, qid, R"({"body":"a","dedup_id":"pay-42"})") == first);
  CHECK(backlog(a, qid) == 1);
}

TEST_CASE("after the dedup window a repeat is a new message") {
  server_process srv;
  api a{srv};
  auto qid = a.create_queue("dedup-short", R"({"dedup_window_seconds":1})");
  auto q = a.call("GET", "/queues/" + qid);
  CHECK(q->result()["settings"]["dedup_window_seconds"].get_int64().value() == 1);
  auto first = send_one(a, qid, R"({"body":"a","dedup_id":"k"})");
  // Repeat until the window is over (it is 1 s; give a slow machine 30 s).
  std::string later = first;
  for (int i = 0; i < 300 && later == first; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    later = send_one(a, qid, R"({"body":"a","dedup_id":"k"})");
  }
  CHECK(later != first);
  CHECK(backlog(a, qid) == 2);
}

TEST_CASE("the Idempotency-Key header is a single send's dedup id") {
  server_process srv;
  api a{srv};
  auto qid = a.create_queue("dedup-header");
  auto r1 = send_keyed(srv, qid, "req-1", R"({"body":"a"})");
  REQUIRE(r1->status == 200);
  auto first = r1->str("message_id");
  auto r2 = send_keyed(srv, qid, "req-1", R"({"body":"a"})");
  REQUIRE(r2->status == 200);
  CHECK(r2->str("message_id") == first);
  // The same id in the body is the same dedup id.
  CHECK(send_one(a, qid, R"({"body":"a","dedup_id":"req-1"})") == first);
  CHECK(backlog(a, qid) == 1);

  auto differ = send_keyed(srv, qid, "req-2", R"({"body":"a","dedup_id":"req-3"})");
  CHECK(differ->status == 400);
  CHECK(differ->error_code() == 10026);
  CHECK(differ->error_message().find("Idempotency-Key") != std::string::npos);
  auto client = srv.client();
  auto batch = client->send("POST", "/client/v4/accounts/acct-a/queues/" + qid + "/messages/batch",
                            R"({"messages":[{"body":"a"}]})",
                            {{"authorization", "Bearer " + srv.token()}, {"Idempotency-Key", "b"}});
  CHECK(batch.status == 400);
  CHECK(batch.body.find("Idempotency-Key header names one message") != std::string::npos);
  auto empty = send_keyed(srv, qid, "", R"({"body":"a"})");
  CHECK(empty->status == 400);
  CHECK(empty->error_message().find("Idempotency-Key header must be 1-128") != std::string::npos);
  CHECK(backlog(a, qid) == 1);
}

TEST_CASE("bad dedup ids and windows are refused naming the field") {
  server_process srv;
  api a{srv};
  auto qid = a.create_queue("dedup-bad");
  struct bad {
    std::string path, body, field;
  };
  std::string long_id(129, 'x');
  for (const auto& b : std::vector<bad>{
           {"/messages", R"({"body":"a","dedup_id":""})", "dedup_id must be 1-128"},
           {"/messages", R"({"body":"a","dedup_id":")" + long_id + R"("})",
            "dedup_id must be 1-128"},
           {"/messages", R"({"body":"a","dedup_id":7})", "dedup_id"},
           {"/messages", R"({"body":"a","dedup_id":"caf\u00e9"})", "dedup_id must be 1-128"},
           {"/messages/batch", R"({"messages":[{"body":"a"},{"body":"b","dedup_id":""}]})",
            "messages[1].dedup_id"},
       }) {
    auto r = a.call("POST", "/queues/" + qid + b.path, b.body);
    INFO(b.body << " -> " << r->body);
    CHECK(r->status == 400);
    CHECK(r->error_code() == 10026);
    CHECK(r->error_message().find(b.field) != std::string::npos);
  }
  CHECK(backlog(a, qid) == 0);
  for (const auto& s : {R"({"dedup_window_seconds":-1})", R"({"dedup_window_seconds":43201})",
                        R"({"dedup_window_seconds":"300"})"}) {
    auto r = a.call("PATCH", "/queues/" + qid, std::string{R"({"settings":)"} + s + "}");
    INFO(s << " -> " << r->body);
    CHECK(r->status == 400);
    CHECK(r->error_code() == 10026);
    CHECK(r->error_message().find("settings.dedup_window_seconds") != std::string::npos);
  }
  auto created =
      a.call("POST", "/queues",
             R"({"queue_name":"dedup-bad-2","settings":{"dedup_window_seconds":50000}})");
  CHECK(created->status == 400);
  CHECK(created->error_message().find("settings.dedup_window_seconds") != std::string::npos);
  auto ok = a.call("PATCH", "/queues/" + qid, R"({"settings":{"dedup_window_seconds":0}})");
  REQUIRE(ok->status == 200);
  CHECK(ok->result()["settings"]["dedup_window_seconds"].get_int64().value() == 0);
}

TEST_CASE("cli: send --dedup-id and queues create/update --dedup-window-secs") {
  server_process srv;
  cli sluice{srv};
  sluice.ok({"queues", "create", "orders", "--dedup-window-secs", "600"});
  CHECK(has(sluice.ok({"queues", "info", "orders"}), "Dedup Window: 600 s"));
  simdjson::dom::parser p;
  auto first = p.parse(sluice.ok({"send", "orders", R"({"n":1})", "--dedup-id", "n-1", "--json"}));
  REQUIRE(!first.error());
  auto id = std::string{first.value()["message_id"].get_string().value()};
  CHECK(id.size() == 32);
  CHECK(has(sluice.ok({"send", "orders", R"({"n":1})", "--dedup-id", "n-1"}), "(id " + id + ")"));
  auto lines = sluice({"send", "orders", "--dedup-id", "n-2"}, "1\n2\n");
  CHECK(lines.exit_code == 1);
  CHECK(has(lines.err, "--dedup-id"));
  sluice.ok({"queues", "update", "orders", "--dedup-window-secs", "0"});
  CHECK(has(sluice.ok({"queues", "info", "orders"}), "Dedup Window: 0 s"));
  auto bad = sluice({"queues", "update", "orders", "--dedup-window-secs", "50000"});
  CHECK(bad.exit_code == 1);
  CHECK(has(bad.err, "dedup_window_seconds"));
  CHECK(has(sluice.ok({"queues", "info", "orders"}), "Backlog: 1 message,"));
}
