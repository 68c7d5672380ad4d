#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "actors/plugins/host/plugin_outcome.hpp"

using namespace sluice;

namespace {

std::vector<message_decision> all_acked(std::size_t n) {
  return std::vector<message_decision>(n, ack_decision());
}

} // namespace

TEST_CASE("outcome: a normal return without calls acks every message") {
  outcome_recorder r(3);
  CHECK(r.finish(false) == all_acked(3));
}

TEST_CASE("outcome: a throw or time-out without calls retries every message, delay unset") {
  outcome_recorder r(3);
  CHECK(r.finish(true) == std::vector<message_decision>(3, retry_decision()));
}

TEST_CASE("outcome: the first per-message call on a message wins") {
  outcome_recorder r(3);
  CHECK(r.ack(0));
  CHECK_FALSE(r.retry(0, 5));
  CHECK(r.retry(1, 5));
  CHECK_FALSE(r.ack(1));
  CHECK_FALSE(r.retry(1, 9));
  CHECK(r.retry(2, std::nullopt));
  CHECK_FALSE(r.retry(2, 4));
  CHECK(r.finish(false)
        == std::vector<message_decision>{ack_decision(), retry_decision(5), retry_decision()});
}

TEST_CASE("outcome: a per-message call beats a batch-level call made before it") {
  outcome_recorder r(3);
  CHECK(r.ack_all());
  CHECK(r.retry(1, 4));
  CHECK(r.finish(false)
        == std::vector<message_decision>{ack_decision(), retry_decision(4), ack_decision()});

  outcome_recorder r2(3);
  CHECK(r2.retry_all(10));
  CHECK(r2.ack(0));
  CHECK(r2.finish(false)
        == std::vector<message_decision>{ack_decision(), retry_decision(10), retry_decision(10)});
}

TEST_CASE("outcome: a per-message call beats a batch-level call made after it") {
  outcome_recorder r(3);
  CHECK(r.retry(1, 4));
  CHECK(r.ack_all());
  CHECK(r.finish(false)
        == std::vector<message_decision>{ack_decision(), retry_decision(4), ack_decision()});

  outcome_recorder r2(2);
  CHECK(r2.ack(1));
  CHECK(r2.retry_all(std::nullopt));
  CHECK(r2.finish(false) == std::vector<message_decision>{retry_decision(), ack_decision()});
}

TEST_CASE("outcome: the first batch-level call wins") {
  outcome_recorder r(2);
  CHECK(r.ack_all());
  CHECK_FALSE(r.retry_all(3));
  CHECK(r.finish(false) == all_acked(2));

  outcome_recorder r2(2);
  CHECK(r2.retry_all(3));
  CHECK_FALSE(r2.ack_all());
  CHECK_FALSE(r2.retry_all(8));
  CHECK(r2.finish(false) == std::vector<message_decision>(2, retry_decision(3)));
}

TEST_CASE("outcome: retry_all without a delay leaves it to the consumer's retry_delay") {
  outcome_recorder r(2);
  r.retry_all(std::nullopt);
  CHECK(r.finish(false) == std::vector<message_decision>(2, retry_decision()));
}

TEST_CASE("outcome: on failure explicit acks stay and explicit retries keep their delay") {
  outcome_recorder r(4);
  r.ack(0);
  r.retry(1, 7);
  r.retry(2, std::nullopt);
  CHECK(r.finish(true)
        == std::vector<message_decision>{ack_decision(), retry_decision(7), retry_decision(),
                                         retry_decision()});
}

TEST_CASE("outcome: ack_all before a failure counts as explicit acks of undecided messages") {
  outcome_recorder r(3);
  r.ack_all();
  r.retry(0, 3);
  CHECK(r.finish(true)
        == std::vector<message_decision>{retry_decision(3), ack_decision(), ack_decision()});
}

TEST_CASE("outcome: retry_all before a failure gives undecided messages its delay") {
  outcome_recorder r(3);
  r.retry_all(5);
  r.ack(0);
  CHECK(r.finish(true)
        == std::vector<message_decision>{ack_decision(), retry_decision(5), retry_decision(5)});
}

TEST_CASE("outcome: delays above 86400 s are clamped and an explicit 0 stays 0") {
  outcome_recorder r(3);
  r.retry(0, 90000);
  r.retry(1, 0);
  r.retry_all(100000);
  CHECK(r.finish(false)
        == std::vector<message_decision>{retry_decision(max_retry_delay_seconds), retry_decision(0),
                                         retry_decision(max_retry_delay_seconds)});
}

TEST_CASE("outcome: calls after finish are ignored and finish resolves once") {
  outcome_recorder r(2);
  r.ack(0);
  auto first = r.finish(true);
  CHECK(first == std::vector<message_decision>{ack_decision(), retry_decision()});
  CHECK_FALSE(r.ack(1));
  CHECK_FALSE(r.retry(0, 1));
  CHECK_FALSE(r.ack_all());
  CHECK_FALSE(r.retry_all(1));
  CHECK(r.finish(false) == first);
}

TEST_CASE("outcome: indexes out of range are ignored") {
  outcome_recorder r(2);
  CHECK_FALSE(r.ack(2));
  CHECK_FALSE(r.retry(99, 1));
  CHECK(r.size() == 2);
  CHECK(r.finish(false) == all_acked(2));
}

TEST_CASE("outcome: an empty batch resolves to nothing") {
  outcome_recorder r(0);
  CHECK(r.ack_all());
  CHECK(r.finish(true).empty());
}

TEST_CASE("outcome: concurrent calls from many threads decide each message exactly once") {
  constexpr std::size_t n = 200;
  outcome_recorder r(n);
  std::atomic<int> wins{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (std::size_t i = 0; i < n; ++i) {
        bool won = t % 2 == 0 ? r.ack(i) : r.retry(i, static_cast<std::uint32_t>(t));
        if (won)
          ++wins;
      }
      r.retry_all(1);
    });
  for (auto& th : threads)
    th.join();
  CHECK(wins.load() == static_cast<int>(n));
  auto decisions = r.finish(false);
  REQUIRE(decisions.size() == n);
  for (const auto& d : decisions)
    CHECK((d.verdict == message_verdict::ack || d.delay_seconds.has_value()));
}
