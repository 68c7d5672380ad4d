// Operation metrics (docs/operations.md) under a scripted pull workload in virtual time:
// exact counts of writes, reads, deletes by outcome (success, dlq, fail,
// expired), retries, billable operations per 64 KB and the backlog gauges.
#include <catch2/catch.hpp>

#include "queue_fixture.hpp"
#include "tests/metrics_text.hpp"

using namespace sluice;
using test::queue_fixture;

namespace {

struct metrics_fixture : queue_fixture {
  /// A series of queue `queue` (labels account="acct", queue, plus `more`).
  double series(const std::string& name, const std::string& queue,
                std::map<std::string, std::string> more = {}) {
    run();
    more.emplace("account", "acct");
    more.emplace("queue", queue);
    return test::sample(registry.expose(), name, more);
  }

  double ops(const std::string& queue, const std::string& action, const std::string& type,
             const std::string& outcome) {
    return series("sluice_queue_operations_total", queue,
                  {{"action", action}, {"consumer_type", type}, {"outcome", outcome}});
  }

  double billable(const std::string& queue, const std::string& action) {
    return series("sluice_queue_billable_operations_total", queue, {{"action", action}});
  }

  std::string queue_id(const std::string& name) {
    auto l = ask<queue_list>(hub, list_queues{"acct", name});
    REQUIRE(l);
    REQUIRE(l->size() == 1);
    return l->front().id;
  }
};

} // namespace

TEST_CASE_METHOD(metrics_fixture, "writes, reads, acks, retries and dead letters are counted") {
  add_consumer(1, "jobs-dlq"); // two deliveries, then the dead-letter queue
  // 1 B, 64,000 B (one chunk), 64,001 B (two chunks): 4 billable writes.
  REQUIRE(send({text("a"), text(std::string(64000, 'b')), text(std::string(64001, 'c'))}));
  CHECK(ops("jobs", "write", "", "success") == 3);
  CHECK(billable("jobs", "write") == 4);
  CHECK(series("sluice_queue_message_size_bytes_count", "jobs") == 3);
  CHECK(series("sluice_queue_message_size_bytes_sum", "jobs") == 128002);
  CHECK(series("sluice_queue_backlog_messages", "jobs") == 3);
  CHECK(series("sluice_queue_backlog_bytes", "jobs") == 128002);

  advance(2000);
  auto b = pull(10);
  REQUIRE(b.messages.size() == 3);
  CHECK(ops("jobs", "read", "http", "success") == 3);
  CHECK(ops("jobs", "read", "worker", "success") == 0);
  CHECK(billable("jobs", "read") == 4);
  CHECK(series("sluice_queue_lag_seconds_count", "jobs", {{"consumer_type", "http"}}) == 3);
  CHECK(series("sluice_queue_lag_seconds_sum", "jobs", {{"consumer_type", "http"}}) == 6);
  CHECK(series("sluice_queue_in_flight_messages", "jobs") == 3);

  // Ack the small ones, retry the big one: it comes back once, then dead-letters.
  std::string big_lease;
  std::vector<std::string> acks;
  for (const auto& m : b.messages) {
    if (m.body.size() == 64001)
      big_lease = m.lease_id;
    else
      acks.push_back(m.lease_id);
  }
  REQUIRE(settle(acks, {retry_item{big_lease, caf::none}}).ack_count == 2);
  CHECK(ops("jobs", "delete", "http", "success") == 2);
  CHECK(billable("jobs", "delete") == 2);
  CHECK(series("sluice_queue_retries_total", "jobs", {{"consumer_type", "http"}}) == 1);

  auto again = pull(10);
  REQUIRE(again.messages.size() == 1);
  CHECK(ops("jobs", "read", "http", "success") == 4);
  CHECK(billable("jobs", "read") == 6);
  settle({}, {retry_item{again.messages[0].lease_id, caf::none}});
  CHECK(ops("jobs", "delete", "http", "dlq") == 1);
  CHECK(billable("jobs", "delete") == 4);
  CHECK(series("sluice_queue_retries_total", "jobs", {{"consumer_type", "http"}}) == 1);
  CHECK(ops("jobs-dlq", "write", "", "success") == 1); // the dead-letter queue's own write
  CHECK(billable("jobs-dlq", "write") == 2);
  CHECK(series("sluice_queue_backlog_messages", "jobs") == 0);
  CHECK(series("sluice_queue_backlog_messages", "jobs-dlq") == 1);
  CHECK(ops("jobs", "delete", "http", "fail") == 0);
  CHECK(ops("jobs", "delete", "", "expired") == 0);
}

TEST_CASE_METHOD(metrics_fixture, "expired leases count as retries, exhausted ones as failures") {
  add_consumer(1, ""); // no dead-letter queue: out of retries means deleted
  REQUIRE(send({text("x")}));
  REQUIRE(pull(1, 1000).messages.size() == 1);
  advance(1000); // the lease expires: a retry
  CHECK(series("sluice_queue_retries_total", "jobs", {{"consumer_type", "http"}}) == 1);
  REQUIRE(pull(1, 1000).messages.size() == 1);
  advance(1000); // expires again, out of retries
  CHECK(ops("jobs", "delete", "http", "fail") == 1);
  CHECK(ops("jobs", "delete", "http", "success") == 0);
  CHECK(ops("jobs", "read", "http", "success") == 2);
  CHECK(billable("jobs", "delete") == 1);
  CHECK(series("sluice_queue_retries_total", "jobs", {{"consumer_type", "http"}}) == 1);
}

TEST_CASE_METHOD(metrics_fixture, "retention deletes count as expired and are not billed") {
  settings_patch s;
  s.message_retention_period = 60;
  REQUIRE(ask<storage::queue_record>(hub, update_queue{"acct", qid, s, false, caf::none}));
  REQUIRE(send({text("old"), text("older")}));
  advance(61'000);
  advance(1000);
  CHECK(ops("jobs", "delete", "", "expired") == 2);
  CHECK(billable("jobs", "delete") == 0);
  CHECK(series("sluice_queue_backlog_messages", "jobs") == 0);
  CHECK(series("sluice_queue_oldest_message_age_seconds", "jobs") == 0);
}

TEST_CASE_METHOD(metrics_fixture, "a queue's series leave with it and come back with its name") {
  REQUIRE(send({text("a")}));
  CHECK(ops("jobs", "write", "", "success") == 1);
  REQUIRE(ask<caf::ok_atom>(hub, delete_queue{"acct", qid}));
  CHECK(ops("jobs", "write", "", "success") == -1);
  CHECK(series("sluice_queue_backlog_messages", "jobs") == -1);
  qid = create("jobs")->id;
  REQUIRE(send({text("b"), text("c")}));
  CHECK(ops("jobs", "write", "", "success") == 2);
}
