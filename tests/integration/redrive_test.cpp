// Redrive (docs/api.md, "Redrive") against the real server: messages go back
// with their id, body, content type and timestamp; progress, cancel, bad
// input; kill -9 in the middle of a slow redrive; the CLI.
#include <map>
#include <set>
#include <string>
#include <thread>

#include "api.hpp"
#include "cli_runner.hpp"
#include "wait.hpp"

using namespace sluice::test;

namespace {

struct pulled {
  std::string id, body, content_type;
  int64_t timestamp_ms = 0, attempts = 0;
  bool dead_letter = false;
};

/// Pulls (and acks) everything `q` has; keyed by message id, several copies kept.
std::multimap<std::string, pulled> drain(api& a, const std::string& q) {
  std::multimap<std::string, pulled> out;
  for (;;) {
    auto r = a.call("POST", q + "/messages/pull", R"({"batch_size":100})");
    REQUIRE(r->status == 200);
    auto msgs = r->result()["messages"].get_array();
    if (msgs.size() == 0)
      return out;
    std::string acks = R"({"acks":[)";
    bool first = true;
    for (auto m : msgs) {
      pulled p;
      p.id = std::string{m["id"].get_string().value()};
      p.body = std::string{m["body"].get_string().value()};
      p.content_type = std::string{m["metadata"]["CF-Content-Type"].get_string().value()};
      p.timestamp_ms = m["timestamp_ms"].get_int64().value();
      p.attempts = m["attempts"].get_int64().value();
      p.dead_letter = !m["dead_letter"].error();
      out.emplace(p.id, p);
      acks += std::string{first ? "" : ","} + R"({"lease_id":")"
              + std::string{m["lease_id"].get_string().value()} + "\"}";
      first = false;
    }
    REQUIRE(a.call("POST", q + "/messages/ack", acks + "]}")->status == 200);
  }
}

int64_t backlog(api& a, const std::string& q) {
  return a.call("GET", q + "/metrics")->result()["backlog_count"].get_int64().value();
}

/// Queues "src" (a pull consumer without retries, dead-lettering into "dlq")
/// and "dlq"; paths of both.
struct queues {
  std::string src, dlq;
};

queues make_queues(api& a, const std::string& prefix = "") {
  queues q;
  q.src = "/queues/" + a.create_queue(prefix + "src");
  auto c = a.call("POST", q.src + "/consumers",
                  R"({"type":"http_pull","dead_letter_queue":")" + prefix
                      + R"(dlq","settings":{"max_retries":0}})");
  REQUIRE(c->status == 200);
  auto found = a.call("GET", "/queues?name=" + prefix + "dlq");
  q.dlq = "/queues/" + std::string{found->result().at(0)["queue_id"].get_string().value()};
  return q;
}

/// Sends `n` text messages to src, pulls them and retries each: with no
/// retries left they go to dlq. Returns what was pulled, by id.
std::map<std::string, pulled> dead_letter(api& a, const queues& q, int n,
                                          const std::string& tag = "m") {
  for (int i = 0; i < n; i += 50) {
    std::string batch = R"({"messages":[)";
    for (int j = i; j < std::min(n, i + 50); ++j)
      batch += std::string{j == i ? "" : ","} + R"({"body":")" + tag + std::to_string(j)
               + R"(","content_type":"text"})";
    REQUIRE(a.call("POST", q.src + "/messages/batch", batch + "]}")->status == 200);
  }
  std::map<std::string, pulled> sent;
  while (static_cast<int>(sent.size()) < n) {
    auto r = a.call("POST", q.src + "/messages/pull", R"({"batch_size":100})");
    REQUIRE(r->status == 200);
    std::string retries = R"({"retries":[)";
    bool first = true;
    for (auto m : r->result()["messages"].get_array()) {
      pulled p;
      p.id = std::string{m["id"].get_string().value()};
      p.body = std::string{m["body"].get_string().value()};
      p.timestamp_ms = m["timestamp_ms"].get_int64().value();
      sent[p.id] = p;
      retries += std::string{first ? "" : ","} + R"({"lease_id":")"
                 + std::string{m["lease_id"].get_string().value()} + "\"}";
      first = false;
    }
    REQUIRE(a.call("POST", q.src + "/messages/ack", retries + "]}")->status == 200);
  }
  REQUIRE(eventually([&] { return backlog(a, q.dlq) >= n; }));
  return sent;
}

std::string state_of(api& a, const std::string& dlq) {
  return a.call("GET", dlq + "/redrive")->str("state");
}

} // namespace

TEST_CASE("redrive moves dead letters back with their id, body, type and timestamp") {
  server_process srv;
  api a{srv};
  auto q = make_queues(a);
  // A JSON message too: its content type must survive the round trip.
  REQUIRE(a.call("POST", q.src + "/messages", R"({"body":{"k":1}})")->status == 200);
  auto sent = dead_letter(a, q, 4);
  REQUIRE(eventually([&] { return backlog(a, q.dlq) == 5; }));

  auto started = a.call("POST", q.dlq + "/redrive", "");
  REQUIRE(started->status == 200);
  CHECK(started->result()["messages_to_move"].get_int64().value() == 5);
  CHECK(started->result()["destination_queue_id"].is_null());
  CHECK(started->str("source_queue_id") == q.dlq.substr(8));
  REQUIRE(eventually([&] { return state_of(a, q.dlq) == "COMPLETED"; }));
  auto done = a.call("GET", q.dlq + "/redrive");
  CHECK(done->result()["messages_moved"].get_int64().value() == 5);
  CHECK(done->result()["messages_remaining"].get_int64().value() == 0);
  CHECK(!done->result()["finished_on"].is_null());

  CHECK(backlog(a, q.dlq) == 0);
  auto back = drain(a, q.src);
  REQUIRE(back.size() == 5);
  int json = 0;
  for (const auto& [id, m] : back) {
    CHECK(m.attempts == 1);
    CHECK_FALSE(m.dead_letter);
    if (m.content_type == "json") {
      ++json;
      continue;
    }
    REQUIRE(sent.count(id) == 1);
    CHECK(m.body == sent[id].body);
    CHECK(m.content_type == "text");
    CHECK(m.timestamp_ms == sent[id].timestamp_ms);
  }
  CHECK(json == 1);

  auto audit = a.call("GET", "/sluice/audit?action=StartRedrive");
  REQUIRE(audit->status == 200);
  CHECK(audit->result().get_array().size() == 1);
}

TEST_CASE("redrive: progress, a second task, cancel, and bad input naming the field") {
  server_process srv;
  api a{srv};
  auto q = make_queues(a);
  dead_letter(a, q, 6);

  auto expect = [&](const std::string& method, const std::string& path, const std::string& body,
                    int status, int64_t code, const std::string& mention) {
    auto r = a.call(method, path, body);
    CHECK(r->status == status);
    REQUIRE_FALSE(r->success());
    CHECK(r->error_code() == code);
    CHECK(r->error_message().find(mention) != std::string::npos);
  };
  auto none = a.call("GET", q.dlq + "/redrive");
  CHECK(none->status == 200);
  CHECK(none->result().is_null());
  expect("DELETE", q.dlq + "/redrive", "", 404, 11015, "no redrive task is running");
  expect("POST", q.dlq + "/redrive", R"({"max_messages_per_second":"fast"})", 400, 10026,
         "max_messages_per_second");
  expect("POST", q.dlq + "/redrive", R"({"max_messages_per_second":0})", 400, 10026,
         "max_messages_per_second");
  expect("POST", q.dlq + "/redrive", R"({"max_messages_per_second":501})", 400, 10026,
         "between 1 and 500");
  expect("POST", q.dlq + "/redrive", R"({"destination_queue_id":7})", 400, 10026,
         "destination_queue_id");
  expect("POST", q.dlq + "/redrive",
         R"({"destination_queue_id":"feedfacefeedfacefeedfacefeedface"})", 404, 11000,
         "destination_queue_id");
  expect("POST", q.dlq + "/redrive", R"({"destination_queue_id":")" + q.dlq.substr(8) + "\"}", 400,
         10026, "another queue");
  expect("POST", q.dlq + "/redrive", "{not json", 400, 10208, "");
  expect("POST", q.src + "/redrive", "{}", 400, 10026, "destination_queue_id");
  expect("POST", "/queues/feedfacefeedfacefeedfacefeedface/redrive", "{}", 404, 11000,
         "does not exist");

  // One message a second: still running when the next calls come.
  auto slow = a.call("POST", q.dlq + "/redrive", R"({"max_messages_per_second":1})");
  REQUIRE(slow->status == 200);
  CHECK(slow->result()["max_messages_per_second"].get_int64().value() == 1);
  expect("POST", q.dlq + "/redrive", "{}", 409, 11014, "already running");
  REQUIRE(eventually([&] {
    return a.call("GET", q.dlq + "/redrive")->result()["messages_moved"].get_int64().value() >= 1;
  }));
  auto progress = a.call("GET", q.dlq + "/redrive");
  CHECK(progress->str("state") == "RUNNING");
  CHECK(progress->result()["messages_remaining"].get_int64().value()
        == 6 - progress->result()["messages_moved"].get_int64().value());
  auto cancelled = a.call("DELETE", q.dlq + "/redrive");
  REQUIRE(cancelled->status == 200);
  CHECK(cancelled->str("state") == "CANCELLED");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto after = a.call("GET", q.dlq + "/redrive");
  CHECK(after->str("state") == "CANCELLED");
  auto moved = after->result()["messages_moved"].get_int64().value();
  CHECK(moved < 6);
  CHECK(backlog(a, q.src) == moved);
  CHECK(backlog(a, q.dlq) == 6 - moved);
  CHECK(a.call("GET", "/sluice/audit?action=CancelRedrive")->result().get_array().size() == 1);

  // With a destination, any queue may be redriven: here the rest to a third queue.
  auto third = a.create_queue("third");
  auto to_third =
      a.call("POST", q.dlq + "/redrive", R"({"destination_queue_id":")" + third + "\"}");
  REQUIRE(to_third->status == 200);
  CHECK(to_third->str("destination_queue_id") == third);
  REQUIRE(eventually([&] { return state_of(a, q.dlq) == "COMPLETED"; }));
  CHECK(backlog(a, "/queues/" + third) == 6 - moved);
}

TEST_CASE("redrive: kill -9 in the middle loses nothing and the task resumes") {
  server_process srv;
  std::map<std::string, pulled> sent;
  queues q;
  {
    api a{srv};
    q = make_queues(a);
    sent = dead_letter(a, q, 60);
    // Ten a second: six seconds in all.
    REQUIRE(a.call("POST", q.dlq + "/redrive", R"({"max_messages_per_second":10})")->status == 200);
    REQUIRE(eventually([&] {
      return a.call("GET", q.dlq + "/redrive")->result()["messages_moved"].get_int64().value()
             >= 20;
    }));
  }
  srv.kill9();
  srv.restart();
  api a{srv};
  auto resumed = a.call("GET", q.dlq + "/redrive");
  REQUIRE(resumed->status == 200);
  auto state = resumed->str("state");
  CHECK((state == "RUNNING" || state == "COMPLETED"));
  REQUIRE(eventually([&] { return state_of(a, q.dlq) == "COMPLETED"; }));
  auto in_src = drain(a, q.src);
  auto in_dlq = drain(a, q.dlq);
  // Every message is somewhere, with its id and body.
  for (const auto& [id, m] : sent) {
    CHECK(in_src.count(id) + in_dlq.count(id) >= 1);
    for (const auto* where : {&in_src, &in_dlq})
      for (auto [i, end] = where->equal_range(id); i != end; ++i)
        CHECK(i->second.body == m.body);
  }
  // Duplicates at most the batch that was under way at the crash (at least once).
  CHECK(in_src.size() + in_dlq.size() >= sent.size());
  CHECK(in_src.size() + in_dlq.size() <= sent.size() + 10);
}

TEST_CASE("cli: queues redrive, redrive-status, redrive-cancel") {
  server_process srv;
  cli sluice{srv};
  api a{srv, sluice.account};
  auto q = make_queues(a, "c-");
  dead_letter(a, q, 3);
  CHECK(has(sluice.ok({"queues", "redrive-status", "c-dlq"}), "has no redrive task"));
  auto out = sluice.ok({"queues", "redrive", "c-dlq", "--wait"});
  CHECK(has(out, "Started redrive"));
  CHECK(has(out, "3 messages to move"));
  CHECK(has(out, "COMPLETED: moved 3 of 3"));
  CHECK(has(sluice.ok({"queues", "redrive-status", "c-dlq"}), "COMPLETED"));
  auto cancel = sluice({"queues", "redrive-cancel", "c-dlq"});
  CHECK(cancel.exit_code == 1);
  CHECK(has(cancel.err, "no redrive task is running"));
  auto bad = sluice({"queues", "redrive", "c-dlq", "--rate", "0"});
  CHECK(bad.exit_code == 1);
  CHECK(has(bad.err, "max_messages_per_second"));
  auto to = sluice({"queues", "redrive", "c-dlq", "--to", "no-such-queue"});
  CHECK(to.exit_code == 1);
  CHECK(backlog(a, q.src) == 3);
  // Completion comes from the command tree: the new commands are in it.
  auto script = sluice.ok({"completion", "bash"});
  CHECK(has(script, "redrive-status"));
  CHECK(has(script, "redrive-cancel"));
}
