// The audit log over HTTP (docs/audit.md): every control-plane change by a
// writing token and by the admin, newest first, filtered, admin-only, kept
// across a restart, and written to the server's log as logfmt lines.
#include <chrono>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "actors/control/time_format.hpp"
#include "api.hpp"
#include "wait.hpp"

using namespace sluice::test;

namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

/// One audit entry as the API shows it.
struct shown_entry {
  std::string id;
  int64_t time_ms = 0;
  std::string actor;
  std::string action;
  std::string type;
  std::string resource_id;
  std::string resource_name;
  std::map<std::string, std::string> details;
};

std::string text(simdjson::dom::element e) {
  return std::string{e.get_string().value()};
}

std::vector<shown_entry> entries_of(const reply& r) {
  std::vector<shown_entry> out;
  for (auto e : r.result().get_array()) {
    shown_entry s;
    s.id = text(e["id"]);
    auto t = sluice::parse_rfc3339(text(e["time"]));
    REQUIRE(t);
    s.time_ms = *t;
    CHECK(text(e["account"]) == "acct-audit");
    s.actor = text(e["actor"]["token_id"]);
    s.action = text(e["action"]);
    s.type = text(e["resource"]["type"]);
    s.resource_id = text(e["resource"]["id"]);
    s.resource_name = text(e["resource"]["name"]);
    for (auto field : e["details"].get_object())
      s.details[std::string{field.key}] = text(field.value);
    out.push_back(std::move(s));
  }
  return out;
}

/// The newest entry of `action`.
shown_entry newest_of(const std::vector<shown_entry>& all, const std::string& action) {
  for (const auto& e : all)
    if (e.action == action)
      return e;
  FAIL("no " << action << " entry");
  return {};
}

/// Every change of the test, oldest first.
const std::vector<std::string> expected_actions{"CreateToken",
                                                "CreateQueue",
                                                "UpdateQueue",
                                                "AttachConsumer",
                                                "UpdateConsumerSettings",
                                                "RemoveConsumer",
                                                "CreateSubscription",
                                                "UpdateSubscription",
                                                "DeleteSubscription",
                                                "CreateToken",
                                                "RevokeToken",
                                                "DeployScript",
                                                "DeleteScript",
                                                "PurgeQueue",
                                                "DeleteQueue"};

} // namespace

TEST_CASE("audit: every change is recorded with who, when and what, and only admins read it") {
  server_process srv;
  api admin{srv, "acct-audit"};
  auto t0 = now_ms();

  auto minted = admin.call("POST", "/sluice/tokens",
                           R"({"name":"writer","permissions":["queues_read","queues_write"]})");
  REQUIRE(minted->status == 200);
  auto writer_id = minted->str("id");
  api writer{srv, "acct-audit", minted->str("value")};
  std::string admin_id;
  auto tokens = admin.call("GET", "/sluice/tokens");
  for (auto t : tokens->result().get_array())
    if (text(t["name"]).rfind("bootstrap", 0) == 0)
      admin_id = text(t["id"]);
  REQUIRE(!admin_id.empty());

  auto qid = writer.create_queue("audited");
  REQUIRE(writer.call("PATCH", "/queues/" + qid, R"({"settings":{"delivery_paused":true}})")->status
          == 200);
  auto consumer = writer.call("POST", "/queues/" + qid + "/consumers",
                              R"({"type":"http_pull","settings":{"batch_size":5}})");
  REQUIRE(consumer->status == 200);
  auto cid = consumer->str("consumer_id");
  REQUIRE(writer
              .call("PUT", "/queues/" + qid + "/consumers/" + cid,
                    R"({"type":"http_pull","settings":{"batch_size":20}})")
              ->status
          == 200);
  REQUIRE(writer.call("DELETE", "/queues/" + qid + "/consumers/" + cid)->status == 200);
  auto sub = writer.call("POST", "/event_subscriptions/subscriptions",
                         R"({"name":"buckets","source":{"type":"r2"},"events":["bucket.created"],)"
                         R"("destination":{"type":"queues.queue","queue_id":")"
                             + qid + "\"}}");
  REQUIRE(sub->status == 200);
  auto sid = sub->str("id");
  REQUIRE(writer.call("PATCH", "/event_subscriptions/subscriptions/" + sid, R"({"enabled":false})")
              ->status
          == 200);
  REQUIRE(writer.call("DELETE", "/event_subscriptions/subscriptions/" + sid)->status == 200);
  // Tokens and scripts need admin.
  auto temp = admin.call("POST", "/sluice/tokens", R"({"name":"temp","permissions":["admin"]})");
  REQUIRE(temp->status == 200);
  auto temp_secret = temp->str("value");
  REQUIRE(admin.call("DELETE", "/sluice/tokens/" + temp->str("id"))->status == 200);
  REQUIRE(admin
              .call("PUT", "/sluice/scripts/hook",
                    R"({"plugin":"webhook","env":{"URL":"http://127.0.0.1:9/h?key=s3cr3t-value"}})")
              ->status
          == 200);
  REQUIRE(admin.call("DELETE", "/sluice/scripts/hook")->status == 200);
  REQUIRE(
      writer.call("POST", "/queues/" + qid + "/purge", R"({"delete_messages_permanently":true})")
          ->status
      == 200);
  REQUIRE(writer.call("DELETE", "/queues/" + qid)->status == 200);
  auto t1 = now_ms();

  auto listed = admin.call("GET", "/sluice/audit?per_page=100");
  REQUIRE(listed->status == 200);
  CHECK(listed->body.find("s3cr3t") == std::string::npos);
  CHECK(listed->body.find(temp_secret) == std::string::npos);
  CHECK(listed->json["result_info"]["total_count"].get_int64().value() == 15);
  auto all = entries_of(*listed);
  REQUIRE(all.size() == expected_actions.size());
  for (size_t i = 0; i < all.size(); ++i) {
    INFO("entry " << i);
    CHECK(all[i].action == expected_actions[expected_actions.size() - 1 - i]); // newest first
    CHECK(all[i].time_ms >= t0);
    CHECK(all[i].time_ms <= t1);
    if (i > 0) {
      CHECK(std::stoull(all[i - 1].id) > std::stoull(all[i].id));
      CHECK(all[i - 1].time_ms >= all[i].time_ms);
    }
    bool by_admin = all[i].type == "token" || all[i].type == "script";
    CHECK(all[i].actor == (by_admin ? admin_id : writer_id));
  }
  auto paused = newest_of(all, "UpdateQueue");
  CHECK(paused.type == "queue");
  CHECK(paused.resource_id == qid);
  CHECK(paused.resource_name == "audited");
  CHECK(paused.details["delivery_paused"] == "true");
  CHECK(paused.details["changed"] == "delivery_paused");
  auto settings = newest_of(all, "UpdateConsumerSettings");
  CHECK(settings.resource_id == cid);
  CHECK(settings.details["batch_size"] == "20");
  CHECK(settings.details["changed"] == "batch_size");
  auto subscribed = newest_of(all, "CreateSubscription");
  CHECK(subscribed.resource_id == sid);
  CHECK(subscribed.details["source"] == "r2");
  CHECK(subscribed.details["events"] == "bucket.created");
  CHECK(subscribed.details["destination_queue_id"] == qid);
  CHECK(newest_of(all, "UpdateSubscription").details["enabled"] == "false");
  auto token_made = all[5]; // the "temp" token (the writer's is the oldest entry)
  REQUIRE(token_made.action == "CreateToken");
  CHECK(token_made.resource_name == "temp");
  CHECK(token_made.details["permissions"] == "admin");
  auto deployed = newest_of(all, "DeployScript");
  CHECK(deployed.resource_name == "hook");
  CHECK(deployed.details["plugin"] == "webhook");
  CHECK(deployed.details["env_names"] == "URL");

  // Filters.
  auto creates = admin.call("GET", "/sluice/audit?action=CreateQueue");
  REQUIRE(creates->status == 200);
  auto created = entries_of(*creates);
  REQUIRE(created.size() == 1);
  CHECK(created[0].resource_id == qid);
  auto since = sluice::rfc3339(all[1].time_ms); // the purge
  auto recent = entries_of(*admin.call("GET", "/sluice/audit?since=" + since));
  REQUIRE(!recent.empty());
  CHECK(recent.size() < all.size());
  CHECK(recent[0].action == "DeleteQueue");
  for (const auto& e : recent)
    CHECK(e.time_ms >= all[1].time_ms);
  CHECK(entries_of(*admin.call("GET", "/sluice/audit?since=" + sluice::rfc3339(t1 + 3600000)))
            .empty());
  auto of_queue = entries_of(*admin.call("GET", "/sluice/audit?resource_id=" + qid));
  CHECK(of_queue.size() == 4); // create, update, purge, delete
  auto page = admin.call("GET", "/sluice/audit?page=2&per_page=2");
  REQUIRE(page->status == 200);
  auto second = entries_of(*page);
  REQUIRE(second.size() == 2);
  CHECK(second[0].id == all[2].id);
  CHECK(page->json["result_info"]["total_count"].get_int64().value() == 15);

  // Only admins read it; bad parameters get the envelope and a message.
  auto forbidden = writer.call("GET", "/sluice/audit");
  CHECK(forbidden->status == 403);
  CHECK(forbidden->error_message().find("admin") != std::string::npos);
  auto bad_since = admin.call("GET", "/sluice/audit?since=yesterday");
  CHECK(bad_since->status == 400);
  CHECK_FALSE(bad_since->success());
  CHECK(bad_since->error_code() == 10026);
  CHECK(bad_since->error_message().find("since must be an RFC 3339 time") != std::string::npos);
  auto bad_action = admin.call("GET", "/sluice/audit?action=MakeCoffee");
  CHECK(bad_action->status == 400);
  CHECK(bad_action->error_message().find("CreateQueue") != std::string::npos);
  CHECK(admin.call("GET", "/sluice/audit?per_page=5000")->status == 400);

  // Each entry was logged once durable, as one logfmt line (by the logger's thread).
  auto queue_lines = [&srv, &writer_id] {
    std::istringstream lines{srv.log()};
    int n = 0;
    for (std::string line; std::getline(lines, line);)
      n += line.rfind("audit time=", 0) == 0
           && line.find(" action=CreateQueue ") != std::string::npos
           && line.find(" actor=" + writer_id + " ") != std::string::npos
           && line.find(" resource_name=audited ") != std::string::npos
           && line.find(" account=acct-audit ") != std::string::npos;
    return n;
  };
  CHECK(eventually([&] { return queue_lines() == 1; }, 10));
  CHECK(eventually([&] { return srv.log().find("action=DeleteQueue") != std::string::npos; }, 10));
  CHECK(srv.log().find("s3cr3t") == std::string::npos);

  // Entries survive a restart.
  REQUIRE(srv.terminate() == 0);
  srv.restart();
  api again{srv, "acct-audit"};
  auto after = again.call("GET", "/sluice/audit?per_page=100");
  REQUIRE(after->status == 200);
  auto kept = entries_of(*after);
  REQUIRE(kept.size() == all.size());
  for (size_t i = 0; i < kept.size(); ++i) {
    CHECK(kept[i].id == all[i].id);
    CHECK(kept[i].action == all[i].action);
    CHECK(kept[i].actor == all[i].actor);
    CHECK(kept[i].details == all[i].details);
  }
  // New entries continue after the recovered ones.
  again.create_queue("after-restart");
  auto newest = entries_of(*again.call("GET", "/sluice/audit?per_page=1"));
  REQUIRE(newest.size() == 1);
  CHECK(newest[0].resource_name == "after-restart");
  CHECK(std::stoull(newest[0].id) > std::stoull(all[0].id));
}
