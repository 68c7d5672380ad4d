#include "actors/plugins/host/plugin_outcome.hpp"

#include <algorithm>

namespace sluice {

namespace {

std::optional<std::uint32_t> clamp_delay(std::optional<std::uint32_t> delay) {
  if (delay)
    return std::min(*delay, max_retry_delay_seconds);
  return delay;
}

} // namespace

outcome_recorder::outcome_recorder(std::size_t message_count) : calls_(message_count) {}

bool outcome_recorder::record(call& slot, message_decision d) {
  if (result_ || slot.made)
    return false;
  slot.made = true;
  slot.decision = d;
  return true;
}

bool outcome_recorder::ack(std::size_t index) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (index >= calls_.size())
    return false;
  return record(calls_[index], ack_decision());
}

bool outcome_recorder::retry(std::size_t index, std::optional<std::uint32_t> delay_seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (index >= calls_.size())
    return false;
  return record(calls_[index], retry_decision(clamp_delay(delay_seconds)));
}

bool outcome_recorder::ack_all() {
  std::lock_guard<std::mutex> lock(mutex_);
  return record(batch_call_, ack_decision());
}

bool outcome_recorder::retry_all(std::optional<std::uint32_t> delay_seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  return record(batch_call_, retry_decision(clamp_delay(delay_seconds)));
}

std::vector<message_decision> outcome_recorder::finish(bool failed) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (result_)
    return *result_;
  // Without any call, a normal return acks and a failure retries; a batch-level call
  // (including ack_all before a throw) replaces that default for undecided messages.
  message_decision fallback = failed ? retry_decision() : ack_decision();
  if (batch_call_.made)
    fallback = batch_call_.decision;
  std::vector<message_decision> out;
  out.reserve(calls_.size());
  for (const auto& c : calls_)
    out.push_back(c.made ? c.decision : fallback);
  result_ = out;
  return out;
}

} // namespace sluice
