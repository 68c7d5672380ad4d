// `sluice` commands for fan-out queues (docs/cli.md): --consumer-mode on queues create and
// update, --consumer-id on pull, peek and ack, and each consumer's backlog in queues info.
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <simdjson.h>

#include "cli_runner.hpp"
#include "server_process.hpp"

using namespace sluice::test;

TEST_CASE("cli: a fan-out queue's consumers pull, ack and show their own backlog") {
  server_process srv;
  cli sluice{srv};
  sluice.ok({"queues", "create", "fan", "--consumer-mode", "multi"});
  CHECK(has(sluice.ok({"queues", "info", "fan"}), "Consumer Mode: multi"));
  sluice.ok({"queues", "consumer", "http", "add", "fan"});
  sluice.ok({"queues", "consumer", "http", "add", "fan"});
  simdjson::dom::parser p;
  auto q = p.parse(sluice.ok({"queues", "info", "fan", "--json"}));
  REQUIRE(!q.error());
  std::vector<std::string> ids;
  for (auto c : q.value()["consumers"].get_array())
    ids.emplace_back(c["consumer_id"].get_string().value());
  REQUIRE(ids.size() == 2);

  sluice.ok({"send", "fan", "hello", "--content-type", "text"});
  auto refused = sluice({"pull", "fan"});
  CHECK(refused.exit_code == 1);
  CHECK(has(refused.err, "consumer_id is required"));
  CHECK(has(sluice.ok({"peek", "fan", "--consumer-id", ids[1]}), "hello"));
  CHECK(has(sluice.ok({"pull", "fan", "--consumer-id", ids[0], "--ack"}), "Acked 1 message"));
  auto info = sluice.ok({"queues", "info", "fan"});
  CHECK(has(info, "Backlog of consumer " + ids[0] + ": 0 messages"));
  CHECK(has(info, "Backlog of consumer " + ids[1] + ": 1 message"));

  simdjson::dom::parser p2;
  auto pulled = p2.parse(sluice.ok({"pull", "fan", "--consumer-id", ids[1], "--json"}));
  REQUIRE(!pulled.error());
  std::string lease{pulled.value()["messages"].at(0)["lease_id"].get_string().value()};
  auto wrong = sluice.ok({"ack", "fan", lease, "--consumer-id", ids[0]});
  CHECK(has(wrong, "Acked 0"));
  CHECK(has(sluice.ok({"ack", "fan", lease, "--consumer-id", ids[1]}), "Acked 1"));

  auto single = sluice({"queues", "update", "fan", "--consumer-mode", "single"});
  CHECK(single.exit_code == 1);
  CHECK(has(single.err, "settings.consumer_mode"));
  sluice.ok({"queues", "consumer", "http", "remove", "fan", "--consumer-id", ids[1]});
  q = p.parse(sluice.ok({"queues", "info", "fan", "--json"}));
  REQUIRE(!q.error());
  REQUIRE(q.value()["consumers"].get_array().size() == 1);
  CHECK(q.value()["consumers"].at(0)["consumer_id"].get_string().value() == ids[0]);
  sluice.ok({"queues", "update", "fan", "--consumer-mode", "single"});
  auto bad = sluice({"queues", "create", "odd", "--consumer-mode", "several"});
  CHECK(bad.exit_code == 1);
  CHECK(has(bad.err, "settings.consumer_mode must be"));
}
