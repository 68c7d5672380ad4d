// /metrics against the real server (docs/operations.md): per-queue gauges follow the queue's
// stats, operation counters follow what clients did, and the series leave with
// the queue.
#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "api.hpp"
#include "tests/metrics_text.hpp"
#include "wait.hpp"

using namespace sluice::test;

namespace {

/// The value of `name{account="acct-a",queue="<queue>",<more>}` in a scrape, or -1 if absent.
double sample(api& a, const std::string& name, const std::string& queue,
              std::map<std::string, std::string> more = {}) {
  more.emplace("account", "acct-a");
  more.emplace("queue", queue);
  return sluice::test::sample(a.call("GET", "//metrics")->body, name, more);
}

double ops(api& a, const std::string& queue, const std::string& action, const std::string& type) {
  return sample(a, "sluice_queue_operations_total", queue,
                {{"action", action}, {"consumer_type", type}, {"outcome", "success"}});
}

} // namespace

TEST_CASE("metrics: per-queue gauges and counters follow the queue and leave with it") {
  server_process srv;
  api a{srv};
  auto qid = a.create_queue("gauged");
  CHECK(sample(a, "sluice_queue_backlog_messages", "gauged") == 0);
  REQUIRE(a.call("POST", "/queues/" + qid + "/messages/batch",
                 R"({"messages":[{"body":"a","content_type":"text"},)"
                 R"({"body":"bb","content_type":"text"},)"
                 R"({"body":"ccc","content_type":"text","delay_seconds":600}]})")
              ->status
          == 200);
  CHECK(sample(a, "sluice_queue_backlog_messages", "gauged") == 3);
  CHECK(sample(a, "sluice_queue_backlog_bytes", "gauged") == 6);
  CHECK(sample(a, "sluice_queue_delayed_messages", "gauged") == 1);
  CHECK(sample(a, "sluice_queue_oldest_message_age_seconds", "gauged") >= 0);
  CHECK(ops(a, "gauged", "write", "") == 3);
  CHECK(sample(a, "sluice_queue_billable_operations_total", "gauged", {{"action", "write"}}) == 3);
  CHECK(sample(a, "sluice_queue_message_size_bytes_sum", "gauged") == 6);
  auto pulled = a.call("POST", "/queues/" + qid + "/messages/pull", R"({"batch_size":1})");
  REQUIRE(pulled->status == 200);
  CHECK(sample(a, "sluice_queue_in_flight_messages", "gauged") == 1);
  CHECK(ops(a, "gauged", "read", "http") == 1);
  CHECK(sample(a, "sluice_queue_lag_seconds_count", "gauged", {{"consumer_type", "http"}}) == 1);
  std::string lease{pulled->result()["messages"].at(0)["lease_id"].get_string().value()};
  REQUIRE(a.call("POST", "/queues/" + qid + "/messages/ack",
                 R"({"acks":[{"lease_id":")" + lease + R"("}]})")
              ->status
          == 200);
  CHECK(ops(a, "gauged", "delete", "http") == 1);
  CHECK(sample(a, "sluice_queue_billable_operations_total", "gauged", {{"action", "delete"}}) == 1);
  CHECK(sample(a, "sluice_consumer_concurrency", "gauged") == 0);
  REQUIRE(a.call("DELETE", "/queues/" + qid)->status == 200);
  // The coordinator ends right after the answer; its series go with it.
  CHECK(eventually([&] { return sample(a, "sluice_queue_backlog_messages", "gauged") == -1; }, 2));
  CHECK(ops(a, "gauged", "write", "") == -1);
}
