#include "actors/control/queue_rules.hpp"

namespace sluice {

namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

std::string check_range(const char* field, int64_t value, int64_t lo, int64_t hi) {
  if (value >= lo && value <= hi)
    return {};
  return "settings." + std::string{field} + " must be between " + std::to_string(lo) + " and "
         + std::to_string(hi) + " seconds, got " + std::to_string(value);
}

} // namespace

std::string check_queue_name(std::string_view name) {
  const std::string rule = "queue_name must be 1-63 characters of lowercase letters, "
                           "digits and '-', starting and ending with a letter or digit";
  if (name.empty() || name.size() > max_queue_name_length)
    return rule + " (got " + std::to_string(name.size()) + " characters)";
  for (char c : name)
    if (!is_alnum(c) && c != '-')
      return rule + " (got '" + std::string{name} + "')";
  if (!is_alnum(name.front()) || !is_alnum(name.back()))
    return rule + " (got '" + std::string{name} + "')";
  return {};
}

std::string jurisdiction_rule() {
  std::string allowed;
  for (auto j : jurisdictions)
    allowed += (allowed.empty() ? "" : ", ") + std::string{j};
  return "jurisdiction must be one of " + allowed + " (or left out)";
}

std::string check_jurisdiction(std::string_view jurisdiction) {
  for (auto j : jurisdictions)
    if (j == jurisdiction)
      return {};
  return jurisdiction_rule() + ", got '" + std::string{jurisdiction} + "'";
}

std::string apply_settings(const settings_patch& patch, bool replace,
                           storage::queue_settings& settings) {
  auto next = replace ? storage::queue_settings{} : settings;
  // Pausing is operational state (pause-delivery), not configuration: a PUT
  // that does not mention it leaves it as it is.
  next.delivery_paused = settings.delivery_paused;
  if (patch.delivery_delay) {
    auto err = check_range("delivery_delay", *patch.delivery_delay, 0, max_delivery_delay_s);
    if (!err.empty())
      return err;
    next.delivery_delay = static_cast<uint32_t>(*patch.delivery_delay);
  }
  if (patch.message_retention_period) {
    auto err = check_range("message_retention_period", *patch.message_retention_period,
                           min_retention_s, max_retention_s);
    if (!err.empty())
      return err;
    next.message_retention_period = static_cast<uint32_t>(*patch.message_retention_period);
  }
  if (patch.dedup_window_seconds) {
    auto err =
        check_range("dedup_window_seconds", *patch.dedup_window_seconds, 0, max_dedup_window_s);
    if (!err.empty())
      return err;
    next.dedup_window_seconds = static_cast<uint32_t>(*patch.dedup_window_seconds);
  }
  if (patch.delivery_paused)
    next.delivery_paused = *patch.delivery_paused;
  // Like pausing, the mode is kept by a PUT that does not name it: a PUT
  // written for a single-consumer queue must not strand a fan-out's consumers.
  next.mode = settings.mode;
  if (patch.consumer_mode && !storage::parse_consumer_mode(*patch.consumer_mode, next.mode))
    return "settings.consumer_mode must be \"single\" (one consumer, the default) or "
           "\"multi\" (several consumers, each gets every message), got '"
           + *patch.consumer_mode + "'";
  settings = next;
  return {};
}

} // namespace sluice
