// /metrics as Prometheus itself sees it (issue #6): `promtool check metrics` finds nothing
// to complain about after a representative workload, and a real Prometheus scraping the
// real server answers PromQL about a queue's backlog and the HTTP counters.
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "api.hpp"
#include "prometheus_process.hpp"
#include "tests/metrics_text.hpp"
#include "tests/temp_dir.hpp"
#include "wait.hpp"

using namespace sluice::test;

namespace {

void require_installed(const char* program) {
  if (!std::filesystem::exists(program))
    FAIL(program << " is missing: run scripts/install-deps.sh (Debian package prometheus)");
}

std::string first_lease_id(const reply& pulled) {
  return std::string{pulled.result()["messages"].at(0)["lease_id"].get_string().value()};
}

/// Sends, a delayed send, pulls, an ack and a 404: "prom-backlog" ends with 5 messages
/// (1 delayed, 1 in flight), "prom-acked" with none.
void workload(api& a) {
  auto q = "/queues/" + a.create_queue("prom-backlog");
  REQUIRE(a.call("POST", q + "/messages/batch",
                 R"({"messages":[{"body":"a","content_type":"text"},)"
                 R"({"body":"b","content_type":"text"},)"
                 R"({"body":"c","content_type":"text"},)"
                 R"({"body":"d","content_type":"text","delay_seconds":600}]})")
              ->status
          == 200);
  REQUIRE(a.call("POST", q + "/messages", R"({"body":{"n":5}})")->status == 200);
  // Leased for 10 minutes: still in flight while Prometheus scrapes.
  auto pulled =
      a.call("POST", q + "/messages/pull", R"({"batch_size":1,"visibility_timeout_ms":600000})");
  REQUIRE(pulled->status == 200);
  REQUIRE(pulled->result()["messages"].get_array().size() == 1);

  auto acked = "/queues/" + a.create_queue("prom-acked");
  REQUIRE(a.call("POST", acked + "/messages", R"({"body":"x"})")->status == 200);
  auto lease = first_lease_id(*a.call("POST", acked + "/messages/pull", R"({"batch_size":1})"));
  auto ack = a.call("POST", acked + "/messages/ack", R"({"acks":[{"lease_id":")" + lease + "\"}]}");
  REQUIRE(ack->status == 200);
  REQUIRE(ack->result()["ackCount"].get_int64().value() == 1);

  REQUIRE(a.call("GET", "/queues/" + std::string(32, '0'))->status == 404);
}

/// Polls `promql` on `prom` (up to 30 s) until it answers one sample whose value
/// satisfies `ok`; the failure message shows the last answer and Prometheus's log.
template <class Pred>
void check_sample(const prometheus_process& prom, const std::string& promql, Pred ok) {
  std::string answer;
  auto holds = [&] {
    answer = prom.query(promql);
    auto value = single_sample_value(answer);
    return !value.empty() && ok(value);
  };
  bool held = eventually(holds, 30);
  INFO(promql << " answered: " << answer << "\nPrometheus log:\n" << prom.log());
  CHECK(held);
}

auto equals(std::string want) {
  return [want](const std::string& value) { return value == want; };
}

bool positive(const std::string& value) {
  return std::stod(value) > 0;
}

} // namespace

TEST_CASE("prometheus: promtool accepts /metrics and a real Prometheus answers PromQL about "
          "a queue backlog",
          "[prometheus]") {
  require_installed(promtool_bin);
  require_installed(prometheus_bin);
  server_process srv;
  api a{srv};
  workload(a);

  auto scrape = a.call("GET", "//metrics");
  REQUIRE(scrape->status == 200);
  CHECK(sample(scrape->body, "sluice_queue_backlog_messages",
               {{"account", "acct-a"}, {"queue", "prom-backlog"}})
        == 5);
  {
    temp_dir dir;
    auto exposition = dir.path() + "/metrics.txt";
    std::ofstream{exposition} << scrape->body;
    auto lint = run_program({promtool_bin, "check", "metrics"}, exposition);
    INFO("promtool check metrics (exit " << lint.status << ") said:\n" << lint.output);
    CHECK(lint.status == 0);
    CHECK(lint.output.empty());
  }

  prometheus_process prom{srv.port()};
  check_sample(prom, R"(up{job="sluice"})", equals("1")); // scraped, and parsed
  check_sample(prom, R"(sluice_queue_backlog_messages{queue="prom-backlog"})", equals("5"));
  check_sample(prom, R"(sluice_queue_delayed_messages{queue="prom-backlog"})", equals("1"));
  check_sample(prom, R"(sluice_queue_in_flight_messages{queue="prom-backlog"})", equals("1"));
  check_sample(prom, R"(sluice_queue_backlog_messages{queue="prom-acked"})", equals("0"));
  check_sample(prom, "sum(sluice_http_requests_total)", positive);
  check_sample(prom, R"(sum(sluice_http_requests_total{status="4xx"}))", positive);
  check_sample(prom, "sum(rate(sluice_http_requests_total[1m]))", positive);
}
