// /metrics against the real server (SPEC §6): per-queue gauges follow the queue's
// stats and leave with the queue.
#include <string>

#include <catch2/catch.hpp>

#include "api.hpp"
#include "wait.hpp"

using namespace sluice::test;

namespace {

/// The value of `name{account="acct-a",queue="<queue>"}` in a scrape, or -1 if absent.
double sample(api& a, const std::string& name, const std::string& queue) {
  auto text = a.call("GET", "//metrics")->body;
  auto key = name + R"({account="acct-a",queue=")" + queue + "\"} ";
  auto at = text.find("\n" + key);
  if (at == std::string::npos)
    return -1;
  return std::stod(text.substr(at + 1 + key.size()));
}

} // namespace

TEST_CASE("metrics: per-queue gauges follow the backlog and leave with the queue") {
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
  REQUIRE(a.call("POST", "/queues/" + qid + "/messages/pull", R"({"batch_size":1})")->status
          == 200);
  CHECK(sample(a, "sluice_queue_in_flight_messages", "gauged") == 1);
  CHECK(sample(a, "sluice_consumer_concurrency", "gauged") == 0);
  REQUIRE(a.call("DELETE", "/queues/" + qid)->status == 200);
  // The coordinator ends right after the answer; its series go with it.
  CHECK(eventually([&] { return sample(a, "sluice_queue_backlog_messages", "gauged") == -1; }, 2));
}
