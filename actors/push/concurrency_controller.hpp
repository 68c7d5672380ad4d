#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

/// The concurrency controller of push consumers (docs/plugins.md, concurrency). Pure logic: no
/// actors, no threads, no clock of its own. The dispatcher reports every finished batch with the
/// time it finished; the controller answers how many batches may run at once. Deterministic, so
/// unit tests drive it with a virtual clock.
///
/// Rules, applied after each batch in this order:
///
///  1. A failed batch (the handler threw or timed out; explicit retries are not
///     failures) halves the target (at least 1), at most once per round; the
///     round restarts at the cut. Batches that were already in flight when the
///     target was cut usually fail too: they do not cut again, so a run of
///     failures halves once per round instead of once per batch (AIMD, as TCP
///     does once per round trip). A round with a failure never scales up.
///  2. A successful batch that finishes with an empty backlog steps the target
///     down by 1 at once: the slot it frees has nothing to take, so it is
///     surplus. If the outcome says how many other batches are still running,
///     the target also drops to that number (at least 1): slots beyond them are
///     idle. So when a burst drains, the target is 1 when the last batch ends
///     (the dispatcher then goes idle); without `in_flight` each batch still in
///     flight steps it down by one.
///  3. At the end of a round without failures:
///     a. the backlog grew by at least one batch (`batch_size` messages) since
///        the round started, or it is more than the current target drains
///        within the horizon (target × per-slot drain rate × horizon, and at
///        least one batch) → +1, up to max; from a target of 8 on, when the
///        backlog is more than twice what the target drains within the horizon,
///        +target/4 instead, but no further than the target that drains the
///        backlog within one horizon (a slow handler with a deep backlog, e.g. a
///        webhook answering after 1 s, climbs from 8 to 100 in about a dozen
///        rounds instead of ninety; below 8 nothing changes);
///     b. otherwise, if less than one batch is waiting → -1: the slots spend
///        their time waiting for `max_wait_time_ms`, one fewer does as well.
///
/// A round is `target` batch completions, or one average batch duration,
/// whichever ends first; a new round starts after each round and after a cut.
/// Why rounds: a change shows its effect only when the batches it started
/// finish, about one batch duration later; reacting to every completion would
/// read stale backlogs and overshoot, then swing back (oscillation). With one
/// step per round the target moves by at most one per batch duration (the
/// round trip of this feedback loop). The time bound keeps rounds short when
/// few batches run (a trickle), so the step-down is not stretched out.
/// Why "grew by a whole batch": between two takes the backlog climbs by up to
/// one batch and drops by one at each take; that sawtooth is not growth.
///
/// Drain rate: an exponentially weighted moving average (weight 1/4) of
/// messages / duration of successful batches, i.e. what one slot drains per ms
/// while busy. The horizon is the average batch duration, at least 1 s: the
/// target grows while more is waiting than all slots can take in one round.
///
/// The documented example, 100 msg/s in, a batch of 100 taking 5 s (one slot
/// drains 20 msg/s): the target climbs by one per batch duration while the
/// backlog grows and reaches 5 (arrivals = drain) after about 20 s; about
/// 1000 messages gathered during the climb, more than one round of work, so it
/// goes on to 8 and drains them in ~20 s, then steps back to 5 by one per round
/// once less than a batch is waiting, and stays there (simulated in
/// tests/unit/actors/concurrency_controller_test.cpp).

namespace sluice {

/// What one finished push batch tells the controller.
struct batch_outcome {
  /// The handler threw or timed out (explicit retries are NOT failures).
  bool failed = false;
  /// Messages in the batch.
  std::size_t messages = 0;
  /// How long the invocation ran.
  std::int64_t duration_ms = 0;
  /// Messages waiting in the queue (not in flight) when the batch finished.
  std::uint64_t backlog = 0;
  /// Other batches of the consumer still running when this one finished, if the
  /// dispatcher knows (it does): lets a drained backlog drop idle slots at once.
  std::optional<std::uint32_t> in_flight;
};

class concurrency_controller {
public:
  /// The automatic (and highest) bound of `max_concurrency` (docs/api.md).
  static constexpr std::uint32_t max_limit = 250;
  /// The horizon of the drain estimate is the average batch duration, at least this.
  static constexpr std::int64_t min_horizon_ms = 1000;

  /// max_concurrency 1..250 (clamped), or 0 meaning automatic = up to 250. Starts at 1.
  explicit concurrency_controller(std::uint32_t max_concurrency = 0, std::uint32_t batch_size = 10);

  /// Settings changed: clamps the target to the new max; the estimates stay.
  void configure(std::uint32_t max_concurrency, std::uint32_t batch_size);

  /// Current concurrency, 1..max().
  std::uint32_t target() const { return target_; }
  std::uint32_t max() const { return max_; }

  /// Decides after each batch completes (docs/plugins.md, concurrency);
  /// returns the new target. `now_ms` is the dispatcher's clock when it finished.
  std::uint32_t after_batch(const batch_outcome& b, std::int64_t now_ms);

  /// Per-slot drain rate estimate in messages per ms (0 before a successful batch).
  double drain_rate_per_ms() const { return rate_per_ms_; }
  /// Average duration of successful batches in ms (0 before one).
  double batch_duration_ms() const { return duration_ms_; }

private:
  void start_round(std::uint64_t backlog, std::int64_t now_ms, bool after_cut);
  bool round_over(std::int64_t now_ms) const;
  bool more_than_horizon(std::uint64_t backlog) const;
  /// How much rule 3a adds: 1, or target/4 far from the horizon (see above).
  std::uint32_t step_up(std::uint64_t backlog) const;

  std::uint32_t max_ = max_limit;
  std::uint32_t batch_size_ = 10;
  std::uint32_t target_ = 1;

  bool have_estimate_ = false;
  double rate_per_ms_ = 0;
  double duration_ms_ = 0;

  bool round_started_ = false;      ///< false until the first batch
  std::uint64_t round_backlog_ = 0; ///< backlog when the round started
  std::int64_t round_start_ms_ = 0; ///< when the round started
  std::uint32_t round_batches_ = 0; ///< batches finished in this round
  bool round_failed_ = false;       ///< a batch of this round failed
  bool round_cut_ = false;          ///< the round started with a cut (no second cut)
};

} // namespace sluice
