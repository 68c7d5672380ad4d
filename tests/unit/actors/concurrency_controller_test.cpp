#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "actors/push/concurrency_controller.hpp"

using namespace sluice;

namespace {

constexpr std::int64_t second = 1000;
constexpr std::int64_t minute = 60 * second;

/// The load and the handler of one simulation.
struct sim_config {
  std::uint32_t max_concurrency = 0;
  std::uint32_t batch_size = 10;
  std::int64_t max_wait_ms = 5000;
  std::uint64_t arrivals_per_s = 0;  ///< steady arrivals from t = 0
  std::int64_t arrive_until_ms = -1; ///< arrivals stop here (-1: never)
  std::uint64_t burst = 0;           ///< messages ready at t = 0
  /// How long the batch starting as batch number `n` runs.
  std::function<std::int64_t(std::uint64_t n)> duration = [](std::uint64_t) { return 5000; };
  /// Whether a batch finishing at `end_ms` fails (threw or timed out); its
  /// messages become ready again.
  std::function<bool(std::int64_t end_ms)> fails = [](std::int64_t) { return false; };
  /// Messages of each successful batch the handler retries explicitly (ready again at once).
  std::uint32_t retried_per_batch = 0;
  /// Order of events at the same ms: arrivals before finished batches, or after.
  bool arrivals_first = false;
};

/// What the dispatcher saw when a batch finished, after the controller decided.
struct sample {
  std::int64_t at_ms;
  std::uint32_t target;
  std::uint64_t backlog;
  bool failed;
};

/// A deterministic discrete-event simulation of a push dispatcher with a
/// virtual clock in ms. Messages arrive at a fixed rate; with a free slot
/// (fewer than target() batches in flight) the dispatcher takes a batch when
/// batch_size messages are ready, or all ready ones once max_wait_ms passed
/// since the oldest ready one. Each finished batch is reported to the
/// controller with the backlog and the batches still running at that moment,
/// then its slot takes work with the new target. At the same ms, arrivals come
/// after finished batches unless `arrivals_first`.
class simulator {
public:
  explicit simulator(sim_config cfg)
    : cfg_(std::move(cfg)), ctl_(cfg_.max_concurrency, cfg_.batch_size) {
    if (cfg_.burst > 0)
      push(0, cfg_.burst);
  }

  concurrency_controller& controller() { return ctl_; }
  const std::vector<sample>& samples() const { return samples_; }
  std::uint64_t backlog() const { return ready_; }
  std::int64_t now() const { return now_; }
  std::size_t in_flight() const { return in_flight_.size(); }
  std::uint32_t peak_target() const { return peak_; }

  /// Runs events up to and including `until_ms`.
  void run_until(std::int64_t until_ms) {
    while (now_ <= until_ms) {
      if (cfg_.arrivals_first)
        arrive();
      finish_batches();
      if (!cfg_.arrivals_first)
        arrive();
      dispatch();
      auto next = next_event();
      if (next < 0 || next > until_ms) {
        now_ = until_ms + 1;
        return;
      }
      now_ = next;
    }
  }

  /// Samples with `from_ms <= at_ms <= to_ms`.
  std::vector<sample> between(std::int64_t from_ms, std::int64_t to_ms) const {
    std::vector<sample> out;
    for (auto& s : samples_)
      if (s.at_ms >= from_ms && s.at_ms <= to_ms)
        out.push_back(s);
    return out;
  }

private:
  struct batch {
    std::int64_t start_ms;
    std::uint64_t messages;
    bool failed;
  };

  std::uint64_t arrived_by(std::int64_t t) const {
    if (cfg_.arrivals_per_s == 0 || t < 0)
      return 0;
    if (cfg_.arrive_until_ms >= 0)
      t = std::min(t, cfg_.arrive_until_ms);
    return static_cast<std::uint64_t>(t) * cfg_.arrivals_per_s / 1000;
  }

  void push(std::int64_t at_ms, std::uint64_t n) {
    if (n == 0)
      return;
    ready_q_.emplace_back(at_ms, n);
    ready_ += n;
  }

  std::uint64_t take(std::uint64_t n) {
    std::uint64_t got = 0;
    while (got < n && !ready_q_.empty()) {
      auto& front = ready_q_.front();
      auto k = std::min(front.second, n - got);
      front.second -= k;
      got += k;
      if (front.second == 0)
        ready_q_.pop_front();
    }
    ready_ -= got;
    return got;
  }

  void finish_batches() {
    while (!in_flight_.empty() && in_flight_.begin()->first <= now_) {
      auto b = in_flight_.begin()->second;
      in_flight_.erase(in_flight_.begin());
      if (b.failed)
        push(now_, b.messages);
      else
        push(now_, std::min<std::uint64_t>(cfg_.retried_per_batch, b.messages));
      batch_outcome out;
      out.failed = b.failed;
      out.messages = b.messages;
      out.duration_ms = now_ - b.start_ms;
      out.backlog = ready_;
      out.in_flight = static_cast<std::uint32_t>(in_flight_.size());
      auto t = ctl_.after_batch(out, now_);
      peak_ = std::max(peak_, t);
      samples_.push_back({now_, t, ready_, b.failed});
      dispatch(); // the freed slot takes work at once, with the new target
    }
  }

  void arrive() {
    auto n = arrived_by(now_);
    push(now_, n - arrivals_seen_);
    arrivals_seen_ = n;
  }

  void dispatch() {
    while (in_flight_.size() < ctl_.target() && ready_ > 0) {
      bool full = ready_ >= cfg_.batch_size;
      bool waited = now_ - ready_q_.front().first >= cfg_.max_wait_ms;
      if (!full && !waited)
        return;
      auto n = take(cfg_.batch_size);
      auto end = now_ + std::max<std::int64_t>(cfg_.duration(started_++), 1);
      in_flight_.emplace(end, batch{now_, n, cfg_.fails(end)});
    }
  }

  /// The next ms at which something can happen, or -1 for never.
  std::int64_t next_event() const {
    std::int64_t next = -1;
    auto consider = [&next](std::int64_t t) {
      if (next < 0 || t < next)
        next = t;
    };
    if (!in_flight_.empty())
      consider(in_flight_.begin()->first);
    if (cfg_.arrivals_per_s > 0
        && (cfg_.arrive_until_ms < 0 || arrived_by(cfg_.arrive_until_ms) > arrivals_seen_)) {
      // The first ms at which arrived_by() exceeds what has arrived.
      auto want = arrivals_seen_ + 1;
      consider(
          static_cast<std::int64_t>((want * 1000 + cfg_.arrivals_per_s - 1) / cfg_.arrivals_per_s));
    }
    if (ready_ > 0 && ready_ < cfg_.batch_size && in_flight_.size() < ctl_.target())
      consider(ready_q_.front().first + cfg_.max_wait_ms);
    return next;
  }

  sim_config cfg_;
  concurrency_controller ctl_;
  std::int64_t now_ = 0;
  std::deque<std::pair<std::int64_t, std::uint64_t>> ready_q_; ///< (ready since, count)
  std::uint64_t ready_ = 0;
  std::uint64_t arrivals_seen_ = 0;
  std::uint64_t started_ = 0;
  std::multimap<std::int64_t, batch> in_flight_; ///< by end time, ties in start order
  std::vector<sample> samples_;
  std::uint32_t peak_ = 1;
};

/// The documented example: 100 msg/s in, batch_size 100, a batch takes 5 s.
sim_config documented_example() {
  sim_config c;
  c.batch_size = 100;
  c.max_wait_ms = 5000;
  c.arrivals_per_s = 100;
  return c;
}

std::uint32_t min_target(const std::vector<sample>& ss) {
  std::uint32_t m = ~0u;
  for (auto& s : ss)
    m = std::min(m, s.target);
  return m;
}

std::uint32_t max_target(const std::vector<sample>& ss) {
  std::uint32_t m = 0;
  for (auto& s : ss)
    m = std::max(m, s.target);
  return m;
}

std::uint64_t max_backlog(const std::vector<sample>& ss) {
  std::uint64_t m = 0;
  for (auto& s : ss)
    m = std::max(m, s.backlog);
  return m;
}

} // namespace

TEST_CASE("the documented example settles near 5", "[controller]") {
  auto cfg = documented_example();
  cfg.arrivals_first = GENERATE(false, true);
  simulator sim{cfg};
  sim.run_until(10 * minute);
  auto at_10 = sim.backlog();
  sim.run_until(20 * minute);
  auto last = sim.between(10 * minute, 20 * minute);
  REQUIRE(last.size() >= 500); // about one batch per second
  CHECK(min_target(last) >= 4);
  CHECK(max_target(last) <= 7);
  CHECK(sim.controller().target() == 5);
  // Bounded: at most one round of work (5 batches) waits, and it does not grow.
  CHECK(max_backlog(last) <= 500);
  CHECK(sim.backlog() <= at_10 + 100);
  // The climb overshoots a little, to drain what piled up while it climbed.
  CHECK(sim.peak_target() <= 8);
  // The estimate is one slot's drain rate: 100 messages per 5 s.
  CHECK(sim.controller().drain_rate_per_ms() == Approx(0.02));
  CHECK(sim.controller().batch_duration_ms() == Approx(5000));
}

TEST_CASE("the documented example settles near 5 with jittery handlers", "[controller]") {
  auto cfg = documented_example();
  cfg.arrivals_first = GENERATE(false, true);
  // 4.5 .. 5.5 s, deterministic (a linear congruential sequence), 5 s on average.
  cfg.duration = [](std::uint64_t n) {
    return static_cast<std::int64_t>(4500 + (n * 7919 + 13) % 1001);
  };
  simulator sim{cfg};
  sim.run_until(10 * minute);
  auto at_10 = sim.backlog();
  sim.run_until(20 * minute);
  auto last = sim.between(10 * minute, 20 * minute);
  REQUIRE(last.size() >= 500);
  CHECK(min_target(last) >= 4);
  CHECK(max_target(last) <= 7);
  std::size_t at_5 = 0;
  for (auto& s : last)
    at_5 += s.target == 5 ? 1 : 0;
  CHECK(at_5 * 2 > last.size()); // 5 most of the time
  CHECK(max_backlog(last) < 700);
  CHECK(sim.backlog() <= at_10 + 500);
}

TEST_CASE("failing batches cut the target multiplicatively and it recovers", "[controller]") {
  auto cfg = documented_example();
  // Every batch finishing between minute 10 and minute 15 fails.
  cfg.fails = [](std::int64_t end) { return end >= 10 * minute && end < 15 * minute; };
  simulator sim{cfg};
  sim.run_until(10 * minute - 1);
  auto before = sim.controller().target();
  CHECK(before >= 4);
  CHECK(before <= 7);

  sim.run_until(15 * minute - 1);
  auto failing = sim.between(10 * minute, 15 * minute - 1);
  REQUIRE(!failing.empty());
  // Multiplicative: each cut at least halves (a round with failures never grows).
  std::uint32_t prev = before;
  std::size_t cuts = 0;
  for (auto& s : failing) {
    CHECK(s.failed);
    CHECK(s.target <= prev);
    if (s.target < prev) {
      CHECK(s.target == std::max<std::uint32_t>(prev / 2, 1));
      ++cuts;
    }
    prev = s.target;
  }
  CHECK(cuts >= 2);
  // Down to 1 within the first 20 s of failures, and 1 until they stop.
  CHECK(max_target(sim.between(10 * minute + 20 * second, 15 * minute - 1)) == 1);
  CHECK(sim.controller().target() == 1);
  auto piled_up = sim.backlog();
  CHECK(piled_up > 20000); // arrivals kept coming and failed messages are ready again

  // Failures stop: the target rises above the load's 5 to drain the pile, then settles.
  sim.run_until(20 * minute);
  CHECK(sim.peak_target() > 5);
  CHECK(max_target(sim.between(15 * minute, 20 * minute)) > 5);
  sim.run_until(45 * minute);
  CHECK(sim.backlog() < 200);
  auto settled = sim.between(40 * minute, 45 * minute);
  REQUIRE(!settled.empty());
  CHECK(min_target(settled) >= 4);
  CHECK(max_target(settled) <= 7);
}

TEST_CASE("a drained backlog steps the target down to 1", "[controller]") {
  sim_config cfg;
  cfg.batch_size = 100;
  cfg.max_wait_ms = 5000;
  cfg.burst = GENERATE(as<std::uint64_t>{}, 20000, 20050); // a burst, then nothing arrives
  if (GENERATE(false, true))
    cfg.duration = [](std::uint64_t n) {
      return static_cast<std::int64_t>(4500 + (n * 7919 + 13) % 1001);
    };
  simulator sim{cfg};
  sim.run_until(2 * minute);
  CHECK(sim.peak_target() >= 10); // the burst scaled it up
  sim.run_until(30 * minute);
  CHECK(sim.backlog() == 0);
  CHECK(sim.in_flight() == 0);
  CHECK(sim.controller().target() == 1);
  // It went down only on batches that found less than a batch waiting.
  auto& ss = sim.samples();
  for (std::size_t i = 1; i < ss.size(); ++i)
    if (ss[i].target < ss[i - 1].target)
      CHECK(ss[i].backlog < cfg.batch_size);
}

TEST_CASE("a drained backlog steps down by one per batch without in_flight", "[controller]") {
  concurrency_controller c{0, 100};
  batch_outcome b;
  b.messages = 100;
  b.duration_ms = 5000;
  b.backlog = 100000;
  std::int64_t now = 0;
  while (c.target() < 12) {
    now += 1000;
    c.after_batch(b, now);
  }
  b.backlog = 0;
  for (std::uint32_t expect = 11; expect >= 1; --expect) {
    now += 10;
    CHECK(c.after_batch(b, now) == expect);
  }
  CHECK(c.after_batch(b, now) == 1); // never below 1

  // Knowing what still runs, idle slots go at once.
  while (c.target() < 12) {
    now += 1000;
    b.backlog = 100000;
    c.after_batch(b, now);
  }
  b.backlog = 0;
  b.in_flight = 4;
  CHECK(c.after_batch(b, now + 10) == 4);
  b.in_flight = 0;
  CHECK(c.after_batch(b, now + 20) == 1);
}

TEST_CASE("a drained burst followed by a trickle steps down to 1", "[controller]") {
  sim_config cfg;
  cfg.batch_size = 100;
  cfg.max_wait_ms = 5000;
  cfg.burst = 20000;
  cfg.arrivals_per_s = 5; // one slot drains 20 msg/s: one slot is plenty
  simulator sim{cfg};
  sim.run_until(2 * minute);
  CHECK(sim.peak_target() >= 10);
  sim.run_until(15 * minute);
  auto tail = sim.between(10 * minute, 15 * minute);
  REQUIRE(!tail.empty());
  CHECK(max_target(tail) == 1);
  CHECK(max_backlog(tail) < 100);
}

TEST_CASE("max_concurrency caps the target", "[controller]") {
  SECTION("max 3 under heavy load") {
    auto cfg = documented_example();
    cfg.max_concurrency = 3;
    cfg.arrivals_per_s = 1000;
    simulator sim{cfg};
    sim.run_until(10 * minute);
    CHECK(sim.peak_target() == 3);
    CHECK(sim.controller().target() == 3);
    CHECK(sim.controller().max() == 3);
  }
  SECTION("automatic never exceeds 250") {
    sim_config cfg;
    cfg.batch_size = 1;
    cfg.arrivals_per_s = 1000; // one slot drains 1 msg/s: 1000 slots would be needed
    cfg.duration = [](std::uint64_t) { return 1000; };
    simulator sim{cfg};
    sim.run_until(10 * minute);
    CHECK(sim.controller().max() == 250);
    CHECK(sim.peak_target() == 250);
    CHECK(sim.controller().target() == 250);
  }
  SECTION("construction clamps") {
    CHECK(concurrency_controller{0}.max() == 250);
    CHECK(concurrency_controller{1000}.max() == 250);
    CHECK(concurrency_controller{7}.max() == 7);
    CHECK(concurrency_controller{7}.target() == 1);
  }
  SECTION("configure lowering max clamps the target") {
    concurrency_controller c{0, 10};
    batch_outcome busy;
    busy.messages = 10;
    busy.duration_ms = 100;
    std::int64_t now = 0;
    for (int i = 0; i < 5000; ++i) {
      now += 100;
      busy.backlog = 1000000 + static_cast<std::uint64_t>(i) * 100; // large and growing
      c.after_batch(busy, now);
    }
    CHECK(c.target() == 250);
    c.configure(2, 10);
    CHECK(c.max() == 2);
    CHECK(c.target() == 2);
    now += 100;
    CHECK(c.after_batch(busy, now) == 2);
    c.configure(0, 10);
    CHECK(c.max() == 250);
    CHECK(c.target() == 2); // raising max does not raise the target by itself
  }
}

TEST_CASE("explicit retries are not failures", "[controller]") {
  SECTION("a retried batch with a large backlog never decreases") {
    concurrency_controller c{0, 10};
    batch_outcome retried; // the handler retried every message: still a success
    retried.failed = false;
    retried.messages = 10;
    retried.duration_ms = 100;
    retried.backlog = 5000;
    std::int64_t now = 0;
    std::uint32_t prev = c.target();
    for (int i = 0; i < 200; ++i) {
      now += 100;
      auto t = c.after_batch(retried, now);
      CHECK(t >= prev);
      prev = t;
    }
    CHECK(c.target() > 1);
    batch_outcome failed = retried;
    failed.failed = true;
    auto before = c.target();
    CHECK(c.after_batch(failed, now + 100) == before / 2);
  }
  SECTION("a load where every batch retries some messages settles higher, without cuts") {
    auto cfg = documented_example();
    cfg.retried_per_batch = 20; // a slot drains 80 new messages per 5 s: 6.25 slots needed
    simulator sim{cfg};
    sim.run_until(20 * minute);
    auto last = sim.between(10 * minute, 20 * minute);
    REQUIRE(!last.empty());
    CHECK(min_target(last) >= 6);
    CHECK(max_target(last) <= 8);
    CHECK(max_backlog(last) < 1000);
    // The target never halves: any step down is by one.
    auto& ss = sim.samples();
    for (std::size_t i = 1; i < ss.size(); ++i)
      CHECK(ss[i].target + 1 >= ss[i - 1].target);
  }
}

TEST_CASE("a 1 s handler with a deep backlog passes 100 within 30 s, by one below 8",
          "[controller]") {
  // A webhook answering after 1 s, batches of 100, a backlog far beyond what 100 slots drain.
  sim_config cfg;
  cfg.batch_size = 100;
  cfg.max_wait_ms = 0;
  cfg.burst = 3'000'000;
  cfg.duration = [](std::uint64_t) { return 1000; };
  simulator sim(cfg);
  sim.run_until(30 * second);
  CHECK(sim.peak_target() >= 100);
  CHECK(max_target(sim.between(0, 6 * second)) <= 8); // one per round below 8
  const auto& ss = sim.samples();
  REQUIRE(ss.size() > 1);
  for (std::size_t i = 1; i < ss.size(); ++i) {
    INFO("sample " << i << " at " << ss[i].at_ms << " ms");
    CHECK(ss[i].target <= ss[i - 1].target + std::max<std::uint32_t>(1, ss[i - 1].target / 4));
  }
  // Drained by the target that empties it: it steps back down to 1.
  sim.run_until(30 * minute);
  CHECK(sim.backlog() == 0);
  CHECK(sim.controller().target() == 1);
}
