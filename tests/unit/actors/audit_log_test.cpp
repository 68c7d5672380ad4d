// The audit log's pure parts: bookkeeping (audit_log), the logfmt line, the
// details of each resource, and RFC 3339 parsing for the query's since/until.
#include <catch2/catch.hpp>

#include "actors/control/audit_details.hpp"
#include "actors/control/audit_line.hpp"
#include "actors/control/audit_log.hpp"
#include "actors/control/logfmt.hpp"
#include "actors/control/time_format.hpp"

using namespace sluice;
using storage::audit_record;

namespace {

audit_record entry(const std::string& account, const std::string& name, int64_t time_ms = 0) {
  audit_record r;
  r.account = account;
  r.time_ms = time_ms;
  r.action = "CreateQueue";
  r.resource_type = "queue";
  r.resource_name = name;
  return r;
}

std::vector<std::string> names(const audit_list& l) {
  std::vector<std::string> out;
  for (const auto& e : l.entries)
    out.push_back(e.resource_name);
  return out;
}

list_audit all_of(const std::string& account) {
  return {account, "", "", caf::none, caf::none, 0, 0};
}

} // namespace

TEST_CASE("audit log: entries are listed once committed, newest first") {
  audit_log log{{}, 10, 5};
  storage::meta_change b;
  auto first = entry("acct", "one");
  auto r1 = log.add(first, b);
  CHECK(first.seq == 5000); // past the clock in microseconds
  CHECK(b.put_audit.size() + b.erase_audit.size() == 1);
  REQUIRE(b.put_audit.size() == 1);
  CHECK(b.put_audit[0].account == "acct");
  CHECK(b.put_audit[0].seq == 5000);
  CHECK(log.query(all_of("acct")).entries.empty()); // pending until durable
  log.commit(r1);
  auto second = entry("acct", "two");
  log.commit(log.add(second, b));
  CHECK(second.seq == 5001);
  CHECK(names(log.query(all_of("acct"))) == std::vector<std::string>{"two", "one"});
  CHECK(log.query(all_of("other")).entries.empty());
}

TEST_CASE("audit log: recovered entries come first and seqs continue past them") {
  auto old = entry("acct", "old");
  old.seq = 9000;
  audit_log log{{old}, 10, 1}; // the clock is behind the recovered entry
  storage::meta_change b;
  auto next = entry("acct", "new");
  log.commit(log.add(next, b));
  CHECK(next.seq == 9001);
  CHECK(names(log.query(all_of("acct"))) == std::vector<std::string>{"new", "old"});
}

TEST_CASE("audit log: past the retention the oldest settled entries are erased in the change") {
  audit_log log{{}, 2, 0};
  for (auto n : {"a", "b", "c"}) {
    storage::meta_change b;
    auto e = entry("acct", n);
    auto r = log.add(e, b);
    log.commit(r);
    if (std::string{n} == "c") {
      REQUIRE(b.put_audit.size() + b.erase_audit.size() == 2);
      REQUIRE(b.erase_audit.size() == 1);
      CHECK(b.erase_audit[0].account == "acct");
      CHECK(b.erase_audit[0].seq == 1); // "a"
      REQUIRE(r.trimmed.size() == 1);
    }
  }
  CHECK(names(log.query(all_of("acct"))) == std::vector<std::string>{"c", "b"});
}

TEST_CASE("audit log: a failed write forgets its entry and restores what it trimmed") {
  audit_log log{{}, 2, 0};
  storage::meta_change b;
  for (auto n : {"a", "b"}) {
    auto e = entry("acct", n);
    log.commit(log.add(e, b));
  }
  auto c = entry("acct", "c");
  auto r = log.add(c, b);
  log.rollback(r);
  CHECK(names(log.query(all_of("acct"))) == std::vector<std::string>{"b", "a"});
}

TEST_CASE("audit log: a pending entry is never trimmed, its write may still fail") {
  audit_log log{{}, 1, 0};
  storage::meta_change b;
  auto a = entry("acct", "a");
  log.commit(log.add(a, b));
  auto x = entry("acct", "x");
  auto y = entry("acct", "y");
  auto rx = log.add(x, b);
  auto ry = log.add(y, b);
  CHECK(rx.trimmed.size() == 1); // "a", settled
  CHECK(ry.trimmed.empty());     // "x" is still pending
  log.rollback(rx);
  log.commit(ry);
  CHECK(names(log.query(all_of("acct"))) == std::vector<std::string>{"y", "a"});
  auto z = entry("acct", "z");
  auto rz = log.add(z, b);
  CHECK(rz.trimmed.size() == 2); // back to the retention once settled
  log.commit(rz);
  CHECK(names(log.query(all_of("acct"))) == std::vector<std::string>{"z"});
}

TEST_CASE("audit log: queries filter and page") {
  audit_log log{{}, 100, 0};
  storage::meta_change b;
  for (int i = 0; i < 5; ++i) {
    auto e = entry("acct", "q" + std::to_string(i), 1000 * i);
    e.resource_id = i % 2 == 0 ? "even" : "odd";
    if (i == 4)
      e.action = "DeleteQueue";
    log.commit(log.add(e, b));
  }
  list_audit q = all_of("acct");
  q.resource_id = "even";
  CHECK(names(log.query(q)) == std::vector<std::string>{"q4", "q2", "q0"});
  q = all_of("acct");
  q.action = "DeleteQueue";
  CHECK(names(log.query(q)) == std::vector<std::string>{"q4"});
  q = all_of("acct");
  q.since_ms = 1000;
  q.until_ms = 3000;
  CHECK(names(log.query(q)) == std::vector<std::string>{"q3", "q2", "q1"});
  q.offset = 1;
  q.limit = 1;
  auto page = log.query(q);
  CHECK(names(page) == std::vector<std::string>{"q2"});
  CHECK(page.total == 3);
  q.offset = 10;
  CHECK(log.query(q).entries.empty());
  CHECK(audit_action::known("UpdateConsumerSettings"));
  CHECK_FALSE(audit_action::known("createqueue"));
}

TEST_CASE("logfmt quotes values with spaces, quotes, equals signs or nothing in them") {
  CHECK(logfmt_value("plain-value_1.2") == "plain-value_1.2");
  CHECK(logfmt_value("") == "\"\"");
  CHECK(logfmt_value("two words") == "\"two words\"");
  CHECK(logfmt_value("a=b") == "\"a=b\"");
  CHECK(logfmt_value("say \"hi\"") == R"("say \"hi\"")");
  CHECK(logfmt_value("back\\slash") == R"("back\\slash")");
  CHECK(logfmt_value("line\nbreak\ttab") == R"("line\nbreak\ttab")");
  CHECK(logfmt_value(std::string{"nul\x01"}) == R"("nul\u0001")");
  CHECK(logfmt_key("source_model_name") == "source_model_name");
  CHECK(logfmt_key("a b=c") == "a_b_c");
  CHECK(logfmt_key("") == "_");
}

TEST_CASE("an audit entry's log line is logfmt with every field") {
  audit_record r;
  r.seq = 42;
  r.time_ms = 1795000000123;
  r.account = "acct";
  r.caller = "tok1";
  r.action = "UpdateQueue";
  r.resource_type = "queue";
  r.resource_id = "q1";
  r.resource_name = "orders";
  r.details = {{"delivery_paused", "true"}, {"note", "a \"b\" {}"}, {"empty", ""}};
  CHECK(audit_line(r)
        == "audit time=2026-11-18T11:06:40.123Z id=42 account=acct actor=tok1 "
           "action=UpdateQueue resource_type=queue resource_id=q1 resource_name=orders "
           "delivery_paused=true note=\"a \\\"b\\\" {}\" empty=\"\"");
  log_audit(r); // braces in values are not format fields
}

TEST_CASE("details name what changed and never a secret") {
  storage::queue_settings before;
  storage::queue_settings after;
  after.delivery_delay = 30;
  after.delivery_paused = true;
  auto d = details_of(after);
  mark_changed(details_of(before), d);
  CHECK(d.back()
        == std::make_pair(std::string{"changed"}, std::string{"delivery_delay,delivery_paused"}));
  auto same = details_of(before);
  mark_changed(details_of(before), same);
  CHECK(same.size() == 4); // nothing changed: no `changed`

  storage::token_record t{"id", "the-hash", "*", storage::perm_admin, "ops", 1};
  for (const auto& [k, v] : details_of(t))
    CHECK(v.find("the-hash") == std::string::npos);
  CHECK(details_of(t)[1].second == "admin");
  CHECK(details_of(t)[2].second == "true");

  storage::script_record s1{"acct", "hook", "webhook", {{"A", "1"}, {"B", "secret"}}, 0, 0};
  storage::script_record s2{"acct", "hook", "webhook", {{"B", "other"}, {"C", "3"}}, 0, 0};
  auto sd = details_of(s2);
  mark_changed(s1, s2, sd);
  for (const auto& [k, v] : sd) {
    CHECK(v.find("secret") == std::string::npos);
    CHECK(v.find("other") == std::string::npos);
  }
  std::map<std::string, std::string> m{sd.begin(), sd.end()};
  CHECK(m["env_names"] == "B,C");
  CHECK(m["env_changed"] == "A,B,C");
  CHECK(m["changed"] == "env_names");
}

TEST_CASE("RFC 3339 times parse to epoch milliseconds") {
  CHECK(parse_rfc3339("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_rfc3339("2026-11-18T11:06:40.123Z") == 1795000000123);
  CHECK(parse_rfc3339("2026-11-18T11:06:40.1239Z") == 1795000000123);
  CHECK(parse_rfc3339("2026-11-18T12:06:40.123+01:00") == 1795000000123);
  CHECK(parse_rfc3339("2026-11-18t10:36:40.123-00:30") == 1795000000123);
  CHECK(parse_rfc3339("2026-11-18 11:06:40.123z") == 1795000000123);
  CHECK(parse_rfc3339("2024-02-29T00:00:00Z"));
  for (auto bad : {"", "yesterday", "2026-11-18", "2026-11-18T11:06:40", "2026-13-01T00:00:00Z",
                   "2025-02-29T00:00:00Z", "2026-11-18T24:00:00Z", "2026-11-18T11:06:40.Z",
                   "2026-11-18T11:06:40Z trailing", "2026-11-18T11:06:40+0100", "1795000000123"})
    CHECK_FALSE(parse_rfc3339(bad));
}
