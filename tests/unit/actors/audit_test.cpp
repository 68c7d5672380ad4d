// The hub's audit log (docs/audit.md): every control-plane change leaves one
// entry, written with the change, kept across restarts, trimmed per account.
#include <catch2/catch.hpp>

#include <map>

#include "hub_fixture.hpp"

using namespace sluice;
using storage::audit_record;
using test::code_of;

namespace {

struct audit_fixture : test::hub_fixture {
  /// The settled entries of `account`, newest first.
  std::vector<audit_record> entries(list_audit q = {}, const std::string& account = "acct") {
    q.account = account;
    auto found = ask<audit_list>(hub, q);
    REQUIRE(found);
    CHECK(found->total >= found->entries.size());
    return found->entries;
  }

  /// The entries of `account` as stored on disk (read between `stop()` and `start()`).
  size_t on_disk(const std::string& account) {
    storage::store_error err;
    auto closed =
        storage::rocksdb_backend::open(dir.path(), storage::rocksdb_backend::mode::inline_io, err);
    REQUIRE(closed);
    auto meta = closed->meta().load();
    REQUIRE(meta);
    size_t n = 0;
    for (const auto& e : meta->audit)
      n += e.account == account;
    return n;
  }

  caf::expected<storage::queue_record> create_by(const std::string& caller, const std::string& name,
                                                 const std::string& account = "acct") {
    return ask<storage::queue_record>(hub, create_queue{account, name, {}, caller});
  }
};

std::map<std::string, std::string> details(const audit_record& e) {
  return {e.details.begin(), e.details.end()};
}

} // namespace

TEST_CASE_METHOD(audit_fixture, "the hub records who created, changed and deleted a queue") {
  auto q = create_by("tok-a", "orders");
  REQUIRE(q);
  auto created_at = clock;
  clock += 10;
  settings_patch pause;
  pause.delivery_paused = true;
  REQUIRE(ask<storage::queue_record>(
      hub, update_queue{"acct", q->id, pause, false, caf::none, "tok-b"}));
  clock += 10;
  REQUIRE(ask<caf::ok_atom>(hub, delete_queue{"acct", q->id, "tok-a"}));

  auto all = entries();
  REQUIRE(all.size() == 3);
  CHECK(all[0].action == "DeleteQueue");
  CHECK(all[1].action == "UpdateQueue");
  CHECK(all[2].action == "CreateQueue");
  CHECK(all[0].seq > all[1].seq);
  CHECK(all[1].seq > all[2].seq);
  for (const auto& e : all) {
    CHECK(e.account == "acct");
    CHECK(e.resource_type == "queue");
    CHECK(e.resource_id == q->id);
    CHECK(e.resource_name == "orders");
  }
  CHECK(all[2].caller == "tok-a");
  CHECK(all[2].time_ms == created_at);
  CHECK(details(all[2])
        == std::map<std::string, std::string>{{"delivery_delay", "0"},
                                              {"message_retention_period", "345600"},
                                              {"delivery_paused", "false"},
                                              {"dedup_window_seconds", "300"}});
  CHECK(all[1].caller == "tok-b");
  CHECK(all[1].time_ms == created_at + 10);
  CHECK(details(all[1])["delivery_paused"] == "true");
  CHECK(details(all[1])["changed"] == "delivery_paused");
  CHECK(all[0].caller == "tok-a");
  CHECK(all[0].time_ms == created_at + 20);
  // Other accounts see none of it.
  CHECK(entries({}, "other").empty());
}

TEST_CASE_METHOD(audit_fixture, "a refused change leaves no audit entry") {
  CHECK(code_of(create_by("tok", "Bad Name").error()) == errc::invalid_request);
  REQUIRE(create_by("tok", "orders"));
  CHECK(code_of(create_by("tok", "orders").error()) == errc::queue_name_taken);
  auto q = ask<queue_list>(hub, list_queues{"acct", "orders"});
  REQUIRE(q->size() == 1);
  settings_patch bad;
  bad.delivery_delay = 999999;
  CHECK(code_of(ask<storage::queue_record>(
                    hub, update_queue{"acct", (*q)[0].id, bad, false, caf::none, "tok"})
                    .error())
        == errc::invalid_request);
  CHECK(code_of(ask<caf::ok_atom>(hub, delete_queue{"acct", "nope", "tok"}).error())
        == errc::queue_not_found);
  CHECK(code_of(ask<purge_status>(hub, purge_queue{"acct", "nope", "tok"}).error())
        == errc::queue_not_found);
  auto all = entries();
  REQUIRE(all.size() == 1);
  CHECK(all[0].action == "CreateQueue");
}

TEST_CASE_METHOD(audit_fixture,
                 "consumers, subscriptions, tokens, scripts and purges are recorded") {
  auto q = create_by("tok", "jobs");
  REQUIRE(q);
  consumer_patch pull;
  pull.type = std::string{"http_pull"};
  pull.dead_letter_queue = std::string{"jobs-dlq"};
  auto c = ask<storage::consumer_record>(hub, put_consumer{"acct", q->id, "", pull, "tok"});
  REQUIRE(c);
  consumer_patch bigger;
  bigger.batch_size = int64_t{50};
  bigger.dead_letter_queue = std::string{"jobs-dlq"}; // PUT replaces: keep it
  REQUIRE(ask<storage::consumer_record>(hub, put_consumer{"acct", q->id, c->id, bigger, "tok"}));
  REQUIRE(ask<caf::ok_atom>(hub, delete_consumer{"acct", q->id, c->id, "tok"}));

  subscription_patch sp;
  sp.name = std::string{"models"};
  sp.source_type = std::string{"workersAi.model"};
  sp.fields = {{"model_name", "@cf/meta/llama"}};
  sp.events = std::vector<std::string>{"batch.queued", "batch.failed"};
  sp.queue_id = q->id;
  auto sub = ask<storage::subscription_record>(hub, create_subscription{"acct", sp, "tok"});
  REQUIRE(sub);
  subscription_patch off;
  off.enabled = false;
  REQUIRE(ask<storage::subscription_record>(hub, update_subscription{"acct", sub->id, off, "tok"}));
  REQUIRE(ask<storage::subscription_record>(hub, delete_subscription{"acct", sub->id, "tok"}));

  principal admin{"root", "*", storage::perm_admin};
  auto tok = ask<token_created>(
      hub, create_token{admin, "acct", "ci", storage::perm_queues_read | storage::perm_queues_write,
                        false});
  REQUIRE(tok);
  REQUIRE(ask<caf::ok_atom>(hub, revoke_token{admin, "acct", tok->record.id}));

  REQUIRE(ask<storage::script_record>(
      hub, put_script{"acct", "hook", "scripted", {{"PASSWORD", "hunter2"}, {"URL", "x"}}, "tok"}));
  REQUIRE(ask<storage::script_record>(
      hub, put_script{"acct", "hook", "scripted", {{"PASSWORD", "hunter3"}, {"URL", "x"}}, "tok"}));
  REQUIRE(ask<caf::ok_atom>(hub, delete_script{"acct", "hook", "tok"}));
  REQUIRE(ask<purge_status>(hub, purge_queue{"acct", q->id, "tok"}));

  auto all = entries();
  std::vector<std::string> actions;
  for (auto i = all.rbegin(); i != all.rend(); ++i)
    actions.push_back(i->action);
  CHECK(actions
        == std::vector<std::string>{"CreateQueue", "CreateQueue", "AttachConsumer",
                                    "UpdateConsumerSettings", "RemoveConsumer",
                                    "CreateSubscription", "UpdateSubscription",
                                    "DeleteSubscription", "CreateToken", "RevokeToken",
                                    "DeployScript", "DeployScript", "DeleteScript", "PurgeQueue"});
  auto by_action = [&all](const std::string& a, int nth = 0) {
    for (auto i = all.rbegin(); i != all.rend(); ++i)
      if (i->action == a && nth-- == 0)
        return *i;
    FAIL("no " << a);
    return audit_record{};
  };
  // The dead-letter queue the consumer named was created with it.
  auto dlq = by_action("CreateQueue", 1);
  CHECK(dlq.resource_name == "jobs-dlq");
  CHECK(details(dlq)["dead_letter_queue_of"] == "jobs");

  auto attach = by_action("AttachConsumer");
  CHECK(attach.resource_type == "consumer");
  CHECK(attach.resource_id == c->id);
  CHECK(attach.resource_name == "jobs");
  CHECK(details(attach)["type"] == "http_pull");
  CHECK(details(attach)["dead_letter_queue"] == "jobs-dlq");
  CHECK(details(attach)["queue_id"] == q->id);
  auto update = by_action("UpdateConsumerSettings");
  CHECK(details(update)["batch_size"] == "50");
  CHECK(details(update)["changed"] == "batch_size");

  auto created_sub = by_action("CreateSubscription");
  CHECK(created_sub.resource_id == sub->id);
  CHECK(details(created_sub)["source"] == "workersAi.model");
  CHECK(details(created_sub)["source_model_name"] == "@cf/meta/llama");
  CHECK(details(created_sub)["events"] == "batch.queued,batch.failed");
  CHECK(details(created_sub)["destination_queue_id"] == q->id);
  CHECK(details(by_action("UpdateSubscription"))["enabled"] == "false");
  CHECK(details(by_action("UpdateSubscription"))["changed"] == "enabled");

  auto minted = by_action("CreateToken");
  CHECK(minted.caller == "root");
  CHECK(minted.resource_id == tok->record.id);
  CHECK(minted.resource_name == "ci");
  CHECK(details(minted)["permissions"] == "queues_read,queues_write");
  CHECK(details(minted)["all_accounts"] == "false");
  CHECK(by_action("RevokeToken").resource_id == tok->record.id);

  auto deployed = by_action("DeployScript");
  CHECK(deployed.resource_name == "hook");
  CHECK(details(deployed)["plugin"] == "scripted");
  CHECK(details(deployed)["env_names"] == "PASSWORD,URL");
  CHECK(details(deployed)["redeployed"] == "false");
  auto redeployed = by_action("DeployScript", 1);
  CHECK(details(redeployed)["redeployed"] == "true");
  CHECK(details(redeployed)["env_changed"] == "PASSWORD");

  // Never a secret: not the token's, not its hash, not a variable's value.
  for (const auto& e : all)
    for (const auto& [k, v] : e.details) {
      CHECK(v.find(tok->secret) == std::string::npos);
      CHECK(v.find(tok->record.hash) == std::string::npos);
      CHECK(v.find("hunter") == std::string::npos);
    }
  CHECK(by_action("PurgeQueue").resource_id == q->id);
}

TEST_CASE_METHOD(audit_fixture, "audit queries filter by action, resource and time, and page") {
  auto a = create_by("tok", "a-queue");
  clock += 100;
  auto b = create_by("tok", "b-queue");
  clock += 100;
  settings_patch s;
  s.delivery_delay = int64_t{5};
  REQUIRE(ask<storage::queue_record>(hub, update_queue{"acct", a->id, s, false, caf::none, "tok"}));
  list_audit creates;
  creates.action = "CreateQueue";
  auto found = entries(creates);
  REQUIRE(found.size() == 2);
  CHECK(found[0].resource_name == "b-queue");
  list_audit of_a;
  of_a.resource_id = a->id;
  CHECK(entries(of_a).size() == 2);
  list_audit between;
  between.since_ms = clock - 100;
  between.until_ms = clock - 100;
  found = entries(between);
  REQUIRE(found.size() == 1);
  CHECK(found[0].resource_name == "b-queue");
  auto paged = ask<audit_list>(hub, list_audit{"acct", "", "", caf::none, caf::none, 1, 1});
  REQUIRE(paged);
  CHECK(paged->total == 3);
  REQUIRE(paged->entries.size() == 1);
  CHECK(paged->entries[0].resource_name == "b-queue");
}

TEST_CASE_METHOD(audit_fixture, "audit entries survive a restart and their ids keep rising") {
  REQUIRE(create_by("tok", "first"));
  auto before = entries();
  REQUIRE(before.size() == 1);
  stop();
  start();
  auto after = entries();
  REQUIRE(after.size() == 1);
  CHECK(after[0].seq == before[0].seq);
  CHECK(after[0].caller == "tok");
  CHECK(after[0].resource_name == "first");
  CHECK(after[0].details == before[0].details);
  REQUIRE(create_by("tok", "second"));
  auto both = entries();
  REQUIRE(both.size() == 2);
  CHECK(both[0].resource_name == "second");
  CHECK(both[0].seq > both[1].seq);
}

TEST_CASE_METHOD(audit_fixture, "retention keeps the newest entries of each account") {
  stop();
  audit_retention = 3;
  start();
  for (int i = 0; i < 5; ++i)
    REQUIRE(create_by("tok", "q-" + std::to_string(i)));
  REQUIRE(create_by("tok", "elsewhere", "other"));
  auto kept = entries();
  REQUIRE(kept.size() == 3);
  CHECK(kept[0].resource_name == "q-4");
  CHECK(kept[2].resource_name == "q-2");
  CHECK(entries({}, "other").size() == 1);
  stop();
  CHECK(on_disk("acct") == 3); // trimmed in the batches that added the newer ones
  CHECK(on_disk("other") == 1);
  start();
  CHECK(entries().size() == 3);
}
