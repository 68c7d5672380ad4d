#include <filesystem>

#include "api.hpp"

using namespace sluice::test;

TEST_CASE("queue CRUD over HTTP with paging and name filter") {
  server_process srv;
  api a{srv};
  auto id = a.create_queue("orders", R"({"delivery_delay":5,"message_retention_period":600})");
  a.create_queue("billing");

  auto list = a.call("GET", "/queues");
  REQUIRE(list->status == 200);
  CHECK(list->result().get_array().size() == 2);
  CHECK(list->json["result_info"]["total_count"].get_int64().value() == 2);

  auto named = a.call("GET", "/queues?name=orders");
  REQUIRE(named->result().get_array().size() == 1);
  CHECK(named->result().at(0)["queue_id"].get_string().value() == id);

  auto page2 = a.call("GET", "/queues?page=2&per_page=1");
  CHECK(page2->result().at(0)["queue_name"].get_string().value() == "billing");
  CHECK(page2->json["result_info"]["page"].get_int64().value() == 2);
  CHECK(page2->json["result_info"]["count"].get_int64().value() == 1);
  CHECK(a.call("GET", "/queues?page=3&per_page=1")->result().get_array().size() == 0);

  auto got = a.call("GET", "/queues/" + id);
  CHECK(got->result()["settings"]["delivery_delay"].get_int64().value() == 5);
  CHECK(got->result()["consumers"].get_array().size() == 0);

  auto put = a.call("PUT", "/queues/" + id, R"({"settings":{"delivery_delay":7}})");
  REQUIRE(put->status == 200);
  CHECK(put->result()["settings"]["message_retention_period"].get_int64().value() == 345600);
  auto patch = a.call("PATCH", "/queues/" + id, R"({"settings":{"delivery_paused":true}})");
  CHECK(patch->result()["settings"]["delivery_delay"].get_int64().value() == 7);
  CHECK(patch->result()["settings"]["delivery_paused"].get_bool().value());

  auto del = a.call("DELETE", "/queues/" + id);
  CHECK(del->status == 200);
  CHECK(del->result().is_null());
  auto gone = a.call("GET", "/queues/" + id);
  CHECK(gone->status == 404);
  CHECK(gone->error_code() == 11000);
}

TEST_CASE("queue validation: names, bounds, types, duplicates, renames") {
  server_process srv;
  api a{srv};
  for (auto name : {"Upper", "-lead", std::string(64, 'a').c_str(), ""}) {
    auto r = a.call("POST", "/queues", std::string{R"({"queue_name":")"} + name + "\"}");
    CHECK(r->status == 400);
  }
  for (auto s : {R"({"delivery_delay":86401})", R"({"delivery_delay":-1})"}) {
    auto r = a.call("POST", "/queues", std::string{R"({"queue_name":"q","settings":)"} + s + "}");
    CHECK(r->status == 400);
    CHECK(r->error_message().find("settings.delivery_delay") != std::string::npos);
  }
  for (auto s : {R"({"message_retention_period":59})", R"({"message_retention_period":1209601})"})
    CHECK(
        a.call("POST", "/queues", std::string{R"({"queue_name":"q","settings":)"} + s + "}")->status
        == 400);
  auto wrong = a.call("POST", "/queues", R"({"queue_name":"q","settings":{"delivery_delay":"5"}})");
  CHECK(wrong->status == 400);
  CHECK(wrong->error_message().find("settings.delivery_delay") != std::string::npos);
  CHECK(a.call("POST", "/queues", R"({"queue_name":5})")->error_message().find("queue_name")
        != std::string::npos);
  CHECK(a.call("POST", "/queues", R"({"queue_name":"q","settings":3})")->status == 400);
  auto id = a.create_queue("ok-queue", R"({"whatever":1})");
  CHECK(a.call("POST", "/queues", R"({"queue_name":"ok-queue","extra":true})")->error_code()
        == 11009);
  CHECK(a.call("PUT", "/queues/" + id, R"({"queue_name":"renamed"})")->status == 400);
}

TEST_CASE("auth: missing and wrong tokens, account scoping, permissions, revocation") {
  server_process srv;
  api admin{srv, "acct-b"};
  auto b_queue = admin.create_queue("b-queue");

  CHECK(api(srv, "acct-a", "-").call("GET", "/queues")->status == 401);
  CHECK(api(srv, "acct-a", "wrong").call("GET", "/queues")->status == 401);

  api admin_a{srv, "acct-a"};
  auto tok = admin_a.call("POST", "/sluice/tokens",
                          R"({"name":"a-rw","permissions":["queues_read","queues_write"]})");
  REQUIRE(tok->status == 200);
  auto secret = tok->str("value");
  auto token_id = tok->str("id");

  api as_a{srv, "acct-a", secret};
  CHECK(as_a.call("POST", "/queues", R"({"queue_name":"mine"})")->status == 200);
  CHECK(as_a.call("GET", "/queues")->status == 200);

  api a_on_b{srv, "acct-b", secret};
  CHECK(a_on_b.call("GET", "/queues")->status == 403);
  CHECK(a_on_b.call("POST", "/queues", R"({"queue_name":"x"})")->status == 403);
  CHECK(a_on_b.call("GET", "/queues/" + b_queue)->status == 403);
  CHECK(a_on_b.call("PATCH", "/queues/" + b_queue, R"({"settings":{"delivery_delay":9}})")->status
        == 403);
  CHECK(a_on_b.call("DELETE", "/queues/" + b_queue)->status == 403);
  CHECK(a_on_b.call("POST", "/queues/" + b_queue + "/messages", R"({"body":1})")->status == 403);
  auto b_after = admin.call("GET", "/queues/" + b_queue);
  CHECK(b_after->result()["settings"]["delivery_delay"].get_int64().value() == 0);
  // The id of B's queue used under account A is simply unknown there.
  CHECK(as_a.call("GET", "/queues/" + b_queue)->status == 404);

  auto ro = admin_a.call("POST", "/sluice/tokens", R"({"permissions":["queues_read"]})");
  api read_only{srv, "acct-a", ro->str("value")};
  CHECK(read_only.call("GET", "/queues")->status == 200);
  CHECK(read_only.call("POST", "/queues", R"({"queue_name":"nope"})")->status == 403);
  CHECK(as_a.call("GET", "/sluice/tokens")->status == 403); // not admin

  CHECK(admin_a.call("DELETE", "/sluice/tokens/" + token_id)->status == 200);
  CHECK(as_a.call("GET", "/queues")->status == 401);
}

TEST_CASE("script env values are shown to admins of the account only") {
  server_process srv;
  api admin{srv, "acct-a"};
  auto put =
      admin.call("PUT", "/sluice/scripts/hook",
                 R"({"plugin":"webhook","env":{"URL":"http://hooks.example.com/x?key=pw@1"}})");
  REQUIRE(put->status == 200);
  CHECK(std::string{put->result()["env"]["URL"].get_string().value()}
        == "http://hooks.example.com/x?key=pw@1");

  auto ro = admin.call("POST", "/sluice/tokens", R"({"permissions":["queues_read"]})");
  api read_only{srv, "acct-a", ro->str("value")};
  auto got = read_only.call("GET", "/sluice/scripts/hook");
  REQUIRE(got->status == 200);
  CHECK(got->result()["env"]["URL"].is_null()); // the name, not the value
  CHECK(got->body.find("pw@") == std::string::npos);
  auto listed = read_only.call("GET", "/sluice/scripts");
  REQUIRE(listed->status == 200);
  CHECK(listed->result().at(0)["env"]["URL"].is_null());
  CHECK(listed->body.find("pw@") == std::string::npos);

  auto scoped = admin.call("POST", "/sluice/tokens", R"({"permissions":["admin"]})");
  api account_admin{srv, "acct-a", scoped->str("value")};
  auto seen = account_admin.call("GET", "/sluice/scripts/hook");
  REQUIRE(seen->status == 200);
  CHECK(std::string{seen->result()["env"]["URL"].get_string().value()}
        == "http://hooks.example.com/x?key=pw@1");
}

TEST_CASE("the data directory is private: 0700, files 0600, a wider one is warned about") {
  namespace fs = std::filesystem;
  server_process srv;
  api a{srv};
  a.create_queue("q");
  auto data = srv.data_dir() + "/data";
  auto open_to_others = fs::perms::group_all | fs::perms::others_all;
  CHECK((fs::status(data).permissions() & fs::perms::all) == fs::perms::owner_all);
  size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(data)) {
    if (!e.is_regular_file())
      continue;
    ++files;
    INFO(e.path().string());
    CHECK((e.status().permissions() & open_to_others) == fs::perms::none);
  }
  CHECK(files > 0);
  CHECK(srv.log().find("chmod 700") == std::string::npos);

  fs::permissions(data, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec
                            | fs::perms::others_read | fs::perms::others_exec);
  srv.restart();
  CHECK(srv.log().find("has mode 755") != std::string::npos);
  CHECK(srv.log().find("chmod 700 " + data) != std::string::npos);
}

TEST_CASE("dev mode needs no token, and is refused on a public address") {
  server_process srv{"", {"--dev"}};
  CHECK(api(srv, "acct", "-").call("GET", "/queues")->status == 200);
  auto refused = run_serve_expecting_exit(
      {"serve", "--dev", "--listen", "0.0.0.0:0", "--data-dir", srv.data_dir() + "/other"});
  CHECK(refused.status != 0);
  CHECK(refused.output.find("--dev disables authentication") != std::string::npos);
}

TEST_CASE("first start prints an admin token once, it works") {
  server_process srv{""};
  auto& out = srv.stdout_text();
  auto at = out.find("admin token");
  REQUIRE(at != std::string::npos);
  auto start = out.find("sluice_", at);
  auto secret = out.substr(start, out.find('\n', start) - start);
  CHECK(api(srv, "acct", secret).call("GET", "/queues")->status == 200);
  srv.terminate();
  srv.restart();
  CHECK(srv.stdout_text().find("admin token", at + 1) == std::string::npos);
  CHECK(api(srv, "acct", secret).call("GET", "/queues")->status == 200);
}

TEST_CASE("a start that cannot bind its port mints no admin token, the next start does") {
  server_process busy{""};
  auto dir = busy.data_dir() + "/fresh";
  auto refused = run_serve_expecting_exit(
      {"serve", "--listen", "127.0.0.1:" + std::to_string(busy.port()), "--data-dir", dir}, "");
  CHECK(refused.status == 1);
  CHECK(refused.output.find("cannot listen on 127.0.0.1:" + std::to_string(busy.port()))
        != std::string::npos);
  CHECK(refused.output.find("admin token") == std::string::npos);
  server_process fresh{"", {"--data-dir", dir}};
  CHECK(fresh.stdout_text().find("admin token") != std::string::npos);
}

TEST_CASE("jurisdiction: stored, returned when set, kept, fixed, bad values refused") {
  server_process srv;
  api a{srv};
  auto created = a.call("POST", "/queues", R"({"queue_name":"eu-orders","jurisdiction":"eu"})");
  REQUIRE(created->status == 200);
  CHECK(created->str("jurisdiction") == "eu");
  auto id = created->str("queue_id");
  auto plain = a.create_queue("plain");
  // Absent when none was given (wrangler adds a column only for queues that have one).
  CHECK(a.call("GET", "/queues/" + plain)->result()["jurisdiction"].error()
        == simdjson::NO_SUCH_FIELD);
  CHECK(a.call("POST", "/queues", R"({"queue_name":"nulled","jurisdiction":null})")->status == 200);

  for (auto bad : {R"("mars")", R"("EU")", R"("")", R"(7)", R"({"eu":true})"}) {
    INFO(bad);
    auto r = a.call("POST", "/queues",
                    std::string{R"({"queue_name":"bad","jurisdiction":)"} + bad + "}");
    CHECK(r->status == 400);
    CHECK_FALSE(r->success());
    CHECK(r->error_code() == 10026);
    CHECK(r->error_message().find("jurisdiction must be one of eu, us, fedramp")
          != std::string::npos);
  }
  CHECK(a.call("GET", "/queues?name=bad")->result().get_array().size() == 0);

  // Fixed at creation: repeating it is fine, a PUT without it keeps it, changing it is refused.
  auto same = a.call("PATCH", "/queues/" + id, R"({"jurisdiction":"eu"})");
  CHECK(same->status == 200);
  auto put = a.call("PUT", "/queues/" + id, R"({"settings":{"delivery_delay":3}})");
  REQUIRE(put->status == 200);
  CHECK(put->str("jurisdiction") == "eu");
  auto moved = a.call("PUT", "/queues/" + id, R"({"jurisdiction":"us"})");
  CHECK(moved->status == 400);
  CHECK(moved->error_message().find("jurisdiction cannot be changed") != std::string::npos);
  auto invalid = a.call("PATCH", "/queues/" + plain, R"({"jurisdiction":"moon"})");
  CHECK(invalid->status == 400);
  CHECK(invalid->error_message().find("jurisdiction must be one of") != std::string::npos);

  srv.kill9();
  srv.restart();
  api after{srv};
  CHECK(after.call("GET", "/queues/" + id)->str("jurisdiction") == "eu");
  auto listed = after.call("GET", "/queues?name=eu-orders");
  CHECK(listed->result().at(0)["jurisdiction"].get_string().value() == "eu");
  CHECK(after.call("GET", "/queues/" + plain)->result()["jurisdiction"].error()
        == simdjson::NO_SUCH_FIELD);
}

TEST_CASE("consumer PUT replaces: what it omits returns to the default, dead_letter_queue too") {
  server_process srv;
  api a{srv};
  auto id = a.create_queue("jobs");
  auto c = a.call("POST", "/queues/" + id + "/consumers",
                  R"({"type":"http_pull","dead_letter_queue":"jobs-dlq",)"
                  R"("settings":{"batch_size":9,"max_retries":7}})");
  REQUIRE(c->status == 200);
  auto cid = c->str("consumer_id");
  auto put = a.call("PUT", "/queues/" + id + "/consumers/" + cid,
                    R"({"type":"http_pull","settings":{"max_retries":2}})");
  REQUIRE(put->status == 200);
  CHECK(put->str("dead_letter_queue").empty());
  CHECK(put->result()["settings"]["batch_size"].get_int64().value() == 5);
  CHECK(put->result()["settings"]["max_retries"].get_int64().value() == 2);
  auto queue = a.call("GET", "/queues/" + id);
  CHECK(queue->result()["consumers"].at(0)["dead_letter_queue"].get_string().value() == "");
  // The dead-letter queue itself stays.
  CHECK(a.call("GET", "/queues?name=jobs-dlq")->result().get_array().size() == 1);
}
