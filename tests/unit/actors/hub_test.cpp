#include <catch2/catch.hpp>

#include "actors/control/crypto.hpp"
#include "hub_fixture.hpp"

using namespace sluice;
using storage::queue_record;

using test::code_of;
using test::hub_fixture;

TEST_CASE_METHOD(hub_fixture, "hub creates a queue with defaults, ids and timestamps") {
  auto q = create("orders");
  REQUIRE(q);
  CHECK(q->name == "orders");
  CHECK(q->id.size() == 32);
  CHECK(q->created_ms == clock);
  CHECK(q->modified_ms == clock);
  CHECK(q->settings.delivery_delay == 0);
  CHECK(q->settings.message_retention_period == 345600);
  CHECK_FALSE(q->settings.delivery_paused);
  auto got = ask<queue_record>(hub, get_queue{"acct", q->id});
  REQUIRE(got);
  CHECK(got->name == "orders");
}

TEST_CASE_METHOD(hub_fixture, "hub refuses duplicate names per account, not across accounts") {
  REQUIRE(create("orders"));
  auto dup = create("orders");
  REQUIRE_FALSE(dup);
  CHECK(code_of(dup.error()) == errc::queue_name_taken);
  CHECK(error_message(dup.error()).find("orders") != std::string::npos);
  CHECK(create("orders", {}, "other-account"));
}

TEST_CASE_METHOD(hub_fixture, "hub validates names and settings bounds") {
  CHECK(code_of(create("Bad").error()) == errc::invalid_request);
  CHECK(code_of(create("-x").error()) == errc::invalid_request);
  CHECK(code_of(create(std::string(64, 'a')).error()) == errc::invalid_request);
  settings_patch s;
  s.delivery_delay = 86401;
  auto r = create("ok-name", s);
  REQUIRE_FALSE(r);
  CHECK(error_message(r.error()).find("settings.delivery_delay") != std::string::npos);
  settings_patch t;
  t.message_retention_period = 59;
  CHECK(code_of(create("ok-name", t).error()) == errc::invalid_request);
  // Nothing half-created by the failures.
  CHECK(ask<queue_list>(hub, list_queues{"acct", ""})->empty());
}

TEST_CASE_METHOD(hub_fixture, "hub lists oldest first and filters by name") {
  REQUIRE(create("b-queue"));
  clock += 10;
  REQUIRE(create("a-queue"));
  auto all = ask<queue_list>(hub, list_queues{"acct", ""});
  REQUIRE(all);
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].name == "b-queue");
  auto one = ask<queue_list>(hub, list_queues{"acct", "a-queue"});
  REQUIRE(one->size() == 1);
  CHECK((*one)[0].name == "a-queue");
  CHECK(ask<queue_list>(hub, list_queues{"acct", "nope"})->empty());
  CHECK(ask<queue_list>(hub, list_queues{"other", ""})->empty());
}

TEST_CASE_METHOD(hub_fixture, "PATCH merges settings, PUT replaces them but keeps pause state") {
  settings_patch s;
  s.delivery_delay = 10;
  s.message_retention_period = 600;
  auto q = create("orders", s);
  REQUIRE(q);
  clock += 5;
  settings_patch pause;
  pause.delivery_paused = true;
  auto patched = ask<queue_record>(hub, update_queue{"acct", q->id, pause, false, caf::none});
  REQUIRE(patched);
  CHECK(patched->settings.delivery_delay == 10);
  CHECK(patched->settings.delivery_paused);
  CHECK(patched->modified_ms == clock);
  CHECK(patched->created_ms == q->created_ms);

  settings_patch only_delay;
  only_delay.delivery_delay = 3;
  auto replaced = ask<queue_record>(hub, update_queue{"acct", q->id, only_delay, true, caf::none});
  REQUIRE(replaced);
  CHECK(replaced->settings.delivery_delay == 3);
  CHECK(replaced->settings.message_retention_period == 345600);
  CHECK(replaced->settings.delivery_paused);

  auto rename = ask<queue_record>(hub, update_queue{"acct", q->id, {}, false, {"other"}});
  REQUIRE_FALSE(rename);
  CHECK(code_of(rename.error()) == errc::invalid_request);
}

TEST_CASE_METHOD(hub_fixture, "a queue is invisible to other accounts") {
  auto q = create("orders");
  REQUIRE(q);
  CHECK(code_of(ask<queue_record>(hub, get_queue{"intruder", q->id}).error())
        == errc::queue_not_found);
  CHECK(code_of(ask<caf::ok_atom>(hub, delete_queue{"intruder", q->id}).error())
        == errc::queue_not_found);
  CHECK(ask<queue_record>(hub, get_queue{"acct", q->id}));
}

TEST_CASE_METHOD(hub_fixture, "delete removes the queue and frees its name") {
  auto q = create("orders");
  REQUIRE(q);
  REQUIRE(ask<caf::ok_atom>(hub, delete_queue{"acct", q->id}));
  CHECK(code_of(ask<queue_record>(hub, get_queue{"acct", q->id}).error()) == errc::queue_not_found);
  CHECK(create("orders"));
}

TEST_CASE_METHOD(hub_fixture, "queues and tokens survive a restart of the hub") {
  auto q = create("orders");
  REQUIRE(q);
  auto gone = create("deleted");
  REQUIRE(ask<caf::ok_atom>(hub, delete_queue{"acct", gone->id}));
  principal admin{"root", "*", storage::perm_admin};
  auto tok =
      ask<token_created>(hub, create_token{admin, "acct", "ci", storage::perm_queues_read, false});
  REQUIRE(tok);
  stop();
  start();
  auto all = ask<queue_list>(hub, list_queues{"acct", ""});
  REQUIRE(all->size() == 1);
  CHECK((*all)[0].id == q->id);
  auto who = tokens->find(sha256_hex(tok->secret));
  REQUIRE(who);
  CHECK(who->account == "acct");
  CHECK(who->has(storage::perm_queues_read));
  CHECK_FALSE(who->has(storage::perm_queues_write));
}

TEST_CASE_METHOD(hub_fixture, "tokens authenticate until revoked, scope rules hold") {
  principal admin{"root", "*", storage::perm_admin};
  principal acct_admin{"a", "acct", storage::perm_admin};
  auto tok = ask<token_created>(hub, create_token{acct_admin, "acct", "", 3, false});
  REQUIRE(tok);
  auto who = tokens->find(sha256_hex(tok->secret)); // published before the answer
  REQUIRE(who);
  CHECK(who->token_id == tok->record.id);
  CHECK(tok->record.account == "acct");
  CHECK(tok->secret.rfind("sluice_", 0) == 0);
  CHECK(tok->record.hash == sha256_hex(tok->secret));
  // An account admin cannot mint a token for every account.
  CHECK(code_of(ask<token_created>(hub, create_token{acct_admin, "acct", "", 1, true}).error())
        == errc::forbidden);
  CHECK(ask<token_list>(hub, list_tokens{acct_admin, "acct"})->size() == 1);
  CHECK(ask<token_list>(hub, list_tokens{acct_admin, "other"})->empty());
  CHECK(code_of(ask<caf::ok_atom>(hub, revoke_token{acct_admin, "other", tok->record.id}).error())
        == errc::not_found);
  REQUIRE(ask<caf::ok_atom>(hub, revoke_token{admin, "acct", tok->record.id}));
  CHECK_FALSE(tokens->find(sha256_hex(tok->secret)));
}
