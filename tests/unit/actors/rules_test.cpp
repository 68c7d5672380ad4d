#include <catch2/catch.hpp>

#include "actors/control/queue_rules.hpp"
#include "actors/control/tokens.hpp"

using namespace sluice;

TEST_CASE("queue names follow the naming rules of docs/api.md") {
  CHECK(check_queue_name("a").empty());
  CHECK(check_queue_name("orders-2026").empty());
  CHECK(check_queue_name(std::string(63, 'x')).empty());
  CHECK_FALSE(check_queue_name("").empty());
  CHECK_FALSE(check_queue_name(std::string(64, 'x')).empty());
  CHECK_FALSE(check_queue_name("Orders").empty());
  CHECK_FALSE(check_queue_name("a_b").empty());
  CHECK_FALSE(check_queue_name("-a").empty());
  CHECK_FALSE(check_queue_name("a-").empty());
}

TEST_CASE("jurisdictions are Cloudflare's three and errors list them") {
  for (auto j : {"eu", "us", "fedramp"})
    CHECK(check_jurisdiction(j).empty());
  for (auto j : {"", "EU", "fedramp-high", "mars"}) {
    auto err = check_jurisdiction(j);
    CHECK(err.find("jurisdiction must be one of eu, us, fedramp") == 0);
    CHECK(err.find(std::string{"got '"} + j + "'") != std::string::npos);
  }
}

TEST_CASE("settings bounds are inclusive and errors name the field") {
  storage::queue_settings s;
  settings_patch p;
  p.delivery_delay = 86400;
  p.message_retention_period = 60;
  CHECK(apply_settings(p, false, s).empty());
  CHECK(s.delivery_delay == 86400);
  CHECK(s.message_retention_period == 60);

  settings_patch bad;
  bad.message_retention_period = 1209601;
  auto err = apply_settings(bad, false, s);
  CHECK(err.find("settings.message_retention_period") != std::string::npos);
  CHECK(s.message_retention_period == 60); // unchanged on error

  settings_patch neg;
  neg.delivery_delay = -1;
  CHECK_FALSE(apply_settings(neg, false, s).empty());
}

TEST_CASE("bootstrap token: env secret once, generated admin only on first start") {
  auto first = bootstrap_token({}, "", 1);
  REQUIRE(first);
  CHECK_FALSE(first->secret_to_print.empty());
  CHECK(first->record.account == "*");
  CHECK((first->record.permissions & storage::perm_admin) != 0);
  CHECK_FALSE(bootstrap_token({first->record}, "", 2)); // not on later starts

  auto env = bootstrap_token({first->record}, "my-secret", 3);
  REQUIRE(env);
  CHECK(env->secret_to_print.empty()); // the operator already knows it
  CHECK_FALSE(bootstrap_token({first->record, env->record}, "my-secret", 4));
}
