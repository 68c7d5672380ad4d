// Fan-out sends under injected storage faults (docs/api.md "Fan-out"): a copy that cannot be
// stored fails the send with a status and a message; the copies already stored stay (at
// least once), and the next send reaches every consumer again.
#include <catch2/catch.hpp>

#include "queue_fixture.hpp"
#include "storage/fault/faulty_backend.hpp"
#include "storage/memory/memory_backend.hpp"

using namespace sluice;
using test::code_of;

namespace {

struct fault_stores {
  storage::memory_backend memory;
  storage::faulty_backend faulty{memory};
};

struct fanout_fault_fixture : fault_stores, test::queue_fixture {
  std::string fan;
  std::vector<std::string> consumers;

  fanout_fault_fixture() : queue_fixture(&faulty) {
    settings_patch s;
    s.consumer_mode = std::string{"multi"};
    fan = create("fan", s)->id;
    for (int i = 0; i < 2; ++i) {
      consumer_patch c;
      c.type = std::string{"http_pull"};
      auto r = ask<storage::consumer_record>(hub, put_consumer{"acct", fan, "", c});
      REQUIRE(r);
      consumers.push_back(r->id);
    }
  }

  uint64_t copies() {
    auto r = ask_queue<consumer_backlogs>(get_consumer_backlogs{"acct", fan});
    REQUIRE(r);
    uint64_t n = 0;
    for (const auto& c : r->consumers)
      n += c.stats.backlog_count;
    return n;
  }
};

} // namespace

TEST_CASE_METHOD(fanout_fault_fixture,
                 "a fan-out send whose second copy fails answers the error, the first copy stays") {
  faulty.plan().fail_nth_write(2);
  auto s = send({text("half")}, caf::none, fan);
  REQUIRE_FALSE(s);
  CHECK(code_of(s.error()) == errc::storage_failure);
  CHECK(to_string(s.error()).find("could not store the messages") != std::string::npos);
  CHECK(copies() == 1); // at least once: a retried send reaches that consumer twice
  faulty.plan().heal();
  REQUIRE(send({text("whole")}, caf::none, fan));
  CHECK(copies() == 3);
  for (const auto& id : consumers) {
    pull_messages req{"acct", fan, int64_t{10}, int64_t{30000}};
    req.consumer_id = id;
    auto b = ask_queue<pulled_batch>(std::move(req));
    REQUIRE(b);
    bool whole = false;
    for (const auto& m : b->messages)
      whole = whole || m.body == "whole";
    CHECK(whole);
  }
}
