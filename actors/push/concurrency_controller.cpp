#include "actors/push/concurrency_controller.hpp"

#include <algorithm>
#include <cmath>

namespace sluice {

namespace {

/// Weight of the newest batch in the moving averages.
constexpr double ewma_weight = 0.25;

std::uint32_t clamp_max(std::uint32_t max_concurrency) {
  if (max_concurrency == 0)
    return concurrency_controller::max_limit;
  return std::min(max_concurrency, concurrency_controller::max_limit);
}

} // namespace

concurrency_controller::concurrency_controller(std::uint32_t max_concurrency,
                                               std::uint32_t batch_size) {
  configure(max_concurrency, batch_size);
}

void concurrency_controller::configure(std::uint32_t max_concurrency, std::uint32_t batch_size) {
  max_ = clamp_max(max_concurrency);
  batch_size_ = std::max<std::uint32_t>(batch_size, 1);
  target_ = std::clamp<std::uint32_t>(target_, 1, max_);
}

void concurrency_controller::start_round(std::uint64_t backlog, std::int64_t now_ms,
                                         bool after_cut) {
  round_started_ = true;
  round_backlog_ = backlog;
  round_start_ms_ = now_ms;
  round_batches_ = 0;
  round_failed_ = false;
  round_cut_ = after_cut;
}

bool concurrency_controller::round_over(std::int64_t now_ms) const {
  if (round_batches_ >= target_)
    return true;
  return have_estimate_ && static_cast<double>(now_ms - round_start_ms_) >= duration_ms_;
}

bool concurrency_controller::more_than_horizon(std::uint64_t backlog) const {
  if (backlog <= batch_size_)
    return false;
  if (!have_estimate_)
    return false;
  double horizon = std::max(duration_ms_, static_cast<double>(min_horizon_ms));
  return static_cast<double>(backlog) > target_ * rate_per_ms_ * horizon;
}

std::uint32_t concurrency_controller::step_up(std::uint64_t backlog) const {
  if (!have_estimate_ || target_ < 8)
    return 1;
  const double horizon = std::max(duration_ms_, static_cast<double>(min_horizon_ms));
  const double per_slot = rate_per_ms_ * horizon; // what one slot drains in a horizon
  if (per_slot <= 0 || static_cast<double>(backlog) <= 2 * target_ * per_slot)
    return 1;
  // Enough slots to drain the backlog within one horizon is where growth stops.
  const double needed = std::ceil(static_cast<double>(backlog) / per_slot);
  const auto room = static_cast<std::uint32_t>(std::min(needed, double{max_limit})) - target_;
  return std::clamp<std::uint32_t>(target_ / 4, 1, std::max<std::uint32_t>(room, 1));
}

std::uint32_t concurrency_controller::after_batch(const batch_outcome& b, std::int64_t now_ms) {
  if (!round_started_)
    start_round(b.backlog, now_ms, false);
  if (!b.failed && b.messages > 0) {
    double duration = static_cast<double>(std::max<std::int64_t>(b.duration_ms, 1));
    double rate = static_cast<double>(b.messages) / duration;
    if (have_estimate_) {
      rate_per_ms_ += ewma_weight * (rate - rate_per_ms_);
      duration_ms_ += ewma_weight * (duration - duration_ms_);
    } else {
      rate_per_ms_ = rate;
      duration_ms_ = duration;
      have_estimate_ = true;
    }
  }
  ++round_batches_;
  if (b.failed) {
    round_failed_ = true;
    if (!round_cut_) { // rule 1: multiplicative decrease, once per round
      target_ = std::max<std::uint32_t>(target_ / 2, 1);
      start_round(b.backlog, now_ms, true);
      round_failed_ = true;
      return target_;
    }
  } else if (b.backlog == 0) { // rule 2: the freed slot has nothing to take
    if (target_ > 1)
      --target_;
    if (b.in_flight)
      target_ = std::max<std::uint32_t>(std::min(target_, *b.in_flight), 1);
    return target_;
  }
  if (!round_over(now_ms))
    return target_;
  if (!round_failed_) { // rule 3
    bool grew = b.backlog >= round_backlog_ + batch_size_;
    if (grew || more_than_horizon(b.backlog)) {
      target_ = std::min(max_, target_ + step_up(b.backlog));
    } else if (b.backlog < batch_size_ && target_ > 1) {
      --target_;
    }
  }
  start_round(b.backlog, now_ms, false);
  return target_;
}

} // namespace sluice
