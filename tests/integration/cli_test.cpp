// `sluice` client commands (docs/cli.md) against the real server.
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <simdjson.h>

#include "cli_runner.hpp"
#include "server_process.hpp"
#include "tests/temp_dir.hpp"

using namespace sluice::test;

TEST_CASE("cli: queues create, list, info, update, delete by name") {
  server_process srv;
  cli sluice{srv};
  CHECK(has(sluice.ok({"queues", "create", "orders", "--delivery-delay-secs", "5"}),
            "Created queue orders"));
  auto dup = sluice({"queues", "create", "orders"});
  CHECK(dup.exit_code == 1);
  CHECK(has(dup.err, "a queue named 'orders' already exists"));
  CHECK(has(sluice.ok({"queues", "list"}), "orders"));
  auto info = sluice.ok({"queues", "info", "orders"});
  CHECK(has(info, "Delivery Delay: 5 s"));
  sluice.ok({"queues", "update", "orders", "--delivery-delay-secs", "0",
             "--message-retention-period-secs", "3600"});
  info = sluice.ok({"queues", "info", "orders"});
  CHECK(has(info, "Delivery Delay: 0 s"));
  CHECK(has(info, "Message Retention Period: 3600 s"));
  auto bad = sluice({"queues", "update", "orders", "--delivery-delay-secs", "90000"});
  CHECK(bad.exit_code == 1);
  CHECK(has(bad.err, "delivery_delay"));
  simdjson::dom::parser p;
  auto listed = p.parse(sluice.ok({"queues", "list", "--json"}));
  REQUIRE(!listed.error());
  CHECK(listed.value().get_array().size() == 1);
  sluice.ok({"queues", "delete", "orders"});
  auto gone = sluice({"queues", "info", "orders"});
  CHECK(gone.exit_code == 1);
  CHECK(has(gone.err, "does not exist"));
}

TEST_CASE("cli: queues create --jurisdiction, shown by info and list, and update help says PATCH") {
  server_process srv;
  cli sluice{srv};
  sluice.ok({"queues", "create", "plain"});
  CHECK_FALSE(has(sluice.ok({"queues", "list"}), "jurisdiction"));
  sluice.ok({"queues", "create", "gov", "--jurisdiction", "fedramp"});
  CHECK(has(sluice.ok({"queues", "info", "gov"}), "Jurisdiction: fedramp\n"));
  CHECK_FALSE(has(sluice.ok({"queues", "info", "plain"}), "Jurisdiction"));
  auto listed = sluice.ok({"queues", "list"});
  CHECK(has(listed, "jurisdiction"));
  CHECK(has(listed, "fedramp"));
  auto bad = sluice({"queues", "create", "nowhere", "--jurisdiction", "atlantis"});
  CHECK(bad.exit_code == 1);
  CHECK(has(bad.err, "jurisdiction must be one of eu, us, fedramp"));
  auto help = sluice.ok({"queues", "update", "--help"});
  CHECK(has(help, "PATCH"));
  CHECK(has(help, "PUT"));
  CHECK(has(sluice.ok({"queues", "create", "--help"}), "--jurisdiction"));
}

TEST_CASE("cli: consumers, pause and resume, purge with and without --force") {
  server_process srv;
  cli sluice{srv};
  sluice.ok({"queues", "create", "jobs"});
  // A worker consumer names a deployed script: the server's reason is shown.
  auto worker = sluice({"queues", "consumer", "worker", "add", "jobs", "my-script"});
  CHECK(worker.exit_code == 1);
  CHECK(has(worker.err, "script 'my-script' is not deployed"));
  sluice.ok({"scripts", "deploy", "my-script", "--plugin", "file-sink", "--var", "DIR=jobs"});
  sluice.ok({"queues", "consumer", "worker", "add", "jobs", "my-script", "--batch-size", "5",
             "--batch-timeout", "1", "--max-concurrency", "2"});
  auto pushed = sluice.ok({"queues", "info", "jobs"});
  CHECK(has(pushed, "Consumer: worker"));
  CHECK(has(pushed, "  Script: my-script\n"));
  CHECK(has(pushed, "  Batch size: 5\n"));
  CHECK(has(pushed, "  Max wait: 1 s\n"));
  CHECK(has(pushed, "  Max concurrency: 2\n"));
  CHECK(has(pushed, "  Dead-letter queue: none\n"));
  auto busy = sluice({"scripts", "delete", "my-script"});
  CHECK(busy.exit_code == 1);
  CHECK(has(busy.err, "is used by the consumer of queue 'jobs'"));
  sluice.ok({"queues", "consumer", "remove", "jobs", "my-script"});
  CHECK(has(sluice.ok({"scripts", "list"}), "my-script  file-sink"));
  auto plugins = sluice.ok({"scripts", "plugins"});
  CHECK(has(plugins, "file-sink\n"));
  CHECK(has(plugins, "webhook\n"));
  auto bad_plugin = sluice({"scripts", "deploy", "other", "--plugin", "nope"});
  CHECK(bad_plugin.exit_code == 1);
  CHECK(has(bad_plugin.err, "plugin 'nope' is not available"));
  sluice.ok({"scripts", "delete", "my-script"});
  CHECK_FALSE(has(sluice.ok({"scripts", "list"}), "my-script"));
  sluice.ok({"queues", "consumer", "http", "add", "jobs", "--batch-size", "7", "--message-retries",
             "2", "--dead-letter-queue", "jobs-dlq", "--visibility-timeout-secs", "60"});
  auto info = sluice.ok({"queues", "info", "jobs"});
  CHECK(has(info, "Consumer: http_pull"));
  CHECK(has(info, "  Batch size: 7\n"));
  CHECK(has(info, "  Visibility timeout: 60 s\n"));
  CHECK(has(info, "  Max retries: 2\n"));
  CHECK(has(info, "  Dead-letter queue: jobs-dlq\n"));
  CHECK(has(sluice.ok({"queues", "list"}), "jobs-dlq")); // created for the consumer
  sluice.ok({"queues", "consumer", "http", "remove", "jobs"});
  CHECK(has(sluice.ok({"queues", "info", "jobs"}), "Number of Consumers: 0"));

  sluice.ok({"queues", "pause-delivery", "jobs"});
  sluice.ok({"send", "jobs", "queued while paused", "--content-type", "text"});
  auto paused = sluice({"pull", "jobs"});
  CHECK(paused.exit_code == 1);
  CHECK(has(paused.err, "queue_delivery_paused"));
  sluice.ok({"queues", "resume-delivery", "jobs"});

  // Not a terminal and no --force: refused, nothing deleted.
  auto refused = sluice({"queues", "purge", "jobs"});
  CHECK(refused.exit_code == 1);
  CHECK(has(refused.err, "--force"));
  CHECK(has(sluice.ok({"queues", "info", "jobs"}), "Backlog: 1 message,"));
  sluice.ok({"queues", "purge", "jobs", "--force"});
  CHECK(has(sluice.ok({"queues", "info", "jobs"}), "Backlog: 0 messages"));
}

TEST_CASE("cli: peek and pull show where a dead letter came from") {
  server_process srv;
  cli sluice{srv};
  sluice.ok({"queues", "create", "inbox"});
  sluice.ok({"queues", "consumer", "http", "add", "inbox", "--message-retries", "0",
             "--dead-letter-queue", "inbox-dlq", "--visibility-timeout-secs", "1"});
  sluice.ok({"send", "inbox", "bad news", "--content-type", "text"});
  auto pulled = sluice.ok({"pull", "inbox", "--visibility-timeout-secs", "1"});
  CHECK_FALSE(has(pulled, "dead-lettered"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500)); // its one lease ends
  auto peeked = sluice.ok({"peek", "inbox-dlq"});
  CHECK(has(peeked, "dead-lettered"));
  CHECK(has(peeked, "from inbox after 1 attempt"));
  CHECK(has(peeked, "bad news"));
}

TEST_CASE("cli: send a body, stdin lines and a file, pull, ack and retry") {
  server_process srv;
  cli sluice{srv};
  temp_dir dir;
  sluice.ok({"queues", "create", "work"});
  CHECK(has(sluice.ok({"send", "work", R"({"order":1})"}), "Sent 1 message"));
  auto not_json = sluice({"send", "work", "plain words"});
  CHECK(not_json.exit_code == 1);
  CHECK(has(not_json.err, "--content-type text"));
  CHECK(has(sluice.ok({"send", "work", "-", "--content-type", "text"}, "a\nb\n\nc\n"),
            "Sent 3 messages"));
  std::string lines;
  for (int i = 0; i < 250; ++i)
    lines += R"({"n":)" + std::to_string(i) + "}\n";
  std::ofstream{dir.path() + "/lines.jsonl"} << lines;
  CHECK(
      has(sluice.ok({"send", "work", "--file", dir.path() + "/lines.jsonl"}), "Sent 250 messages"));
  CHECK(has(sluice.ok({"queues", "info", "work"}), "Backlog: 254 messages"));

  simdjson::dom::parser p;
  auto pulled = p.parse(sluice.ok({"pull", "work", "--batch-size", "2", "--json"}));
  REQUIRE(!pulled.error());
  std::vector<std::string> leases;
  for (auto m : pulled.value()["messages"].get_array())
    leases.emplace_back(m["lease_id"].get_string().value());
  REQUIRE(leases.size() == 2);
  auto acked = sluice.ok({"ack", "work", leases[0], "--retry", leases[1], "--delay-secs", "0"});
  CHECK(has(acked, "Acked 1, retried 1"));
  auto unknown = sluice({"ack", "work", "not-a-lease"});
  CHECK(unknown.exit_code == 0);
  CHECK(has(unknown.err, "warning: not-a-lease"));

  // pull --ack prints the bodies (text raw, JSON decoded) and acknowledges them.
  auto table = sluice.ok({"pull", "work", "--batch-size", "100", "--ack"});
  CHECK(has(table, "Acked "));
  CHECK(has(sluice.ok({"queues", "info", "work"}), "Backlog: 153 messages"));
}

TEST_CASE("cli: tokens create, list, revoke, and wrangler's variables work too") {
  server_process srv;
  cli admin{srv};
  auto created = admin.ok(
      {"tokens", "create", "--name", "ci", "--permissions", "queues_read,queues_write", "--json"});
  simdjson::dom::parser p;
  auto t = p.parse(created);
  REQUIRE(!t.error());
  std::string secret{t.value()["value"].get_string().value()};
  std::string id{t.value()["id"].get_string().value()};
  CHECK(has(admin.ok({"tokens", "list"}), id));

  // The new token, given the way wrangler is configured.
  auto wrangler_env = "CLOUDFLARE_API_BASE_URL=http://127.0.0.1:" + std::to_string(srv.port())
                      + "/client/v4 CLOUDFLARE_API_TOKEN=" + secret
                      + " CLOUDFLARE_ACCOUNT_ID=cli-acct";
  auto r = run_cli(wrangler_env, {"queues", "create", "from-wrangler-env"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  auto no_admin = run_cli(wrangler_env, {"tokens", "list"});
  CHECK(no_admin.exit_code == 1);
  CHECK(has(no_admin.err, "admin"));

  admin.ok({"tokens", "revoke", id});
  auto revoked = run_cli(wrangler_env, {"queues", "list"});
  CHECK(revoked.exit_code == 1);
  CHECK(has(revoked.err, "HTTP 401"));
  // Flags win over variables.
  CHECK(run_cli(wrangler_env, {"queues", "list", "--token", srv.token()}).exit_code == 0);
}

TEST_CASE("cli: queues subscription commands and events publish") {
  server_process srv;
  cli sluice{srv};
  sluice.ok({"queues", "create", "models"});
  auto created =
      sluice.ok({"queues", "subscription", "create", "models", "--source", "workersAi.model",
                 "--events", "batch.queued, batch.failed", "--model-name", "@cf/m"});
  auto at = created.find("with id '");
  REQUIRE(at != std::string::npos);
  auto id = created.substr(at + 9, 32);
  CHECK(has(sluice.ok({"queues", "subscription", "list", "models"}), "models workersAi.model"));
  CHECK(has(sluice.ok({"queues", "subscription", "get", "models", "--id", id}), "batch.failed"));
  auto missing = sluice({"queues", "subscription", "create", "models", "--source",
                         "workersAi.model", "--events", "batch.queued"});
  CHECK(missing.exit_code == 1);
  CHECK(has(missing.err, "model_name"));

  CHECK(has(sluice.ok({"events", "publish", "--source", "workersAi.model", "--model-name", "@cf/m",
                       "--event", "batch.queued", "--payload", R"({"requestId":"r1"})"}),
            "Published 1 event, 1 delivery."));
  temp_dir dir;
  std::ofstream{dir.path() + "/events.jsonl"}
      << R"({"source":{"type":"workersAi.model","model_name":"@cf/m"},"event":"batch.failed","payload":{"requestId":"r2","message":"boom"}})"
      << "\n"
      << R"({"source":{"type":"workersAi.model","model_name":"@cf/other"},"event":"batch.failed","payload":{"requestId":"r3","message":"boom"}})"
      << "\n";
  CHECK(has(sluice.ok({"events", "publish", "--file", dir.path() + "/events.jsonl"}),
            "Published 2 events, 1 delivery."));
  auto bad = sluice({"events", "publish", "--source", "r2", "--event", "bucket.created",
                     "--schema-version", "1", "--payload", R"({"name":1})"});
  CHECK(bad.exit_code == 1);
  CHECK(has(bad.err, "payload.name"));
  CHECK(has(sluice.ok({"queues", "info", "models"}), "Backlog: 2 messages"));

  sluice.ok({"queues", "subscription", "update", "models", "--id", id, "--enabled", "false",
             "--name", "paused-models"});
  CHECK(has(sluice.ok({"queues", "subscription", "get", "models", "--id", id}), "paused-models"));
  sluice.ok({"queues", "subscription", "delete", "models", "--id", id, "--force"});
  auto gone = sluice({"queues", "subscription", "get", "models", "--id", id});
  CHECK(gone.exit_code == 1);
  CHECK(has(gone.err, "does not exist"));
}

TEST_CASE("cli: audit list shows the newest changes first, filtered") {
  server_process srv;
  cli sluice{srv};
  sluice.ok({"queues", "create", "first"});
  sluice.ok({"queues", "create", "second"});
  sluice.ok({"queues", "pause-delivery", "second"});
  auto table = sluice.ok({"audit", "list"});
  auto header = table.find("time");
  auto paused = table.find("UpdateQueue");
  auto made = table.find("CreateQueue");
  REQUIRE(header != std::string::npos);
  REQUIRE(paused != std::string::npos);
  REQUIRE(made != std::string::npos);
  CHECK(header < paused);
  CHECK(paused < made); // newest first
  CHECK(has(table, "delivery_paused=true"));
  CHECK(has(table, "changed=delivery_paused"));
  auto creates = sluice.ok({"audit", "list", "--action", "CreateQueue", "--limit", "1"});
  CHECK(has(creates, "second"));
  CHECK_FALSE(has(creates, "first"));
  CHECK_FALSE(has(creates, "UpdateQueue"));
  CHECK(has(sluice.ok({"audit", "list", "--since", "10m"}), "first"));
  CHECK_FALSE(has(sluice.ok({"audit", "list", "--since", "2999-01-01T00:00:00+01:00"}), "first"));
  auto bad = sluice({"audit", "list", "--since", "last week"});
  CHECK(bad.exit_code == 1);
  CHECK(has(bad.err, "--since must be"));
  auto unknown = sluice({"audit", "list", "--action", "Explode"});
  CHECK(unknown.exit_code == 1);
  CHECK(has(unknown.err, "unknown action"));
}

TEST_CASE("cli: every command has --help, and errors are clear without a server") {
  server_process srv;
  cli sluice{srv};
  for (auto cmd : std::vector<std::vector<std::string>>{
           {},
           {"queues"},
           {"queues", "list"},
           {"queues", "create"},
           {"queues", "update"},
           {"queues", "delete"},
           {"queues", "info"},
           {"queues", "pause-delivery"},
           {"queues", "resume-delivery"},
           {"queues", "purge"},
           {"queues", "consumer", "add"},
           {"queues", "consumer", "remove"},
           {"queues", "consumer", "http", "add"},
           {"queues", "consumer", "http", "remove"},
           {"queues", "consumer", "worker", "add"},
           {"queues", "consumer", "worker", "remove"},
           {"send"},
           {"pull"},
           {"ack"},
           {"queues", "subscription", "create"},
           {"queues", "subscription", "list"},
           {"queues", "subscription", "get"},
           {"queues", "subscription", "update"},
           {"queues", "subscription", "delete"},
           {"events", "publish"},
           {"tokens", "create"},
           {"tokens", "list"},
           {"tokens", "revoke"},
           {"scripts", "deploy"},
           {"scripts", "list"},
           {"scripts", "delete"},
           {"scripts", "plugins"},
           {"audit", "list"},
       }) {
    cmd.push_back("--help");
    auto r = sluice(cmd);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(has(r.out, "Usage"));
  }
  auto nowhere = run_cli("SLUICE_URL=http://127.0.0.1:1 SLUICE_ACCOUNT=a", {"queues", "list"});
  CHECK(nowhere.exit_code == 1);
  CHECK(has(nowhere.err, "cannot reach the server"));
  auto no_account = run_cli("SLUICE_URL=http://127.0.0.1:1", {"queues", "list"});
  CHECK(no_account.exit_code == 1);
  CHECK(has(no_account.err, "--account"));
}

TEST_CASE("cli: pull --wait holds until a message comes, and refuses more than 20 s") {
  server_process srv;
  cli sluice{srv};
  sluice.ok({"queues", "create", "waiting"});
  std::thread producer{[&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    cli other{srv};
    other.ok({"send", "waiting", "\"arrived\""});
  }};
  auto out = sluice.ok({"pull", "waiting", "--wait", "15"});
  producer.join();
  CHECK(has(out, "arrived"));
  auto bad = sluice({"pull", "waiting", "--wait", "21"});
  CHECK(bad.exit_code == 2);
  CHECK(has(bad.err, "--wait"));
}
