#include "cli/time_format.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "actors/control/time_format.hpp"

namespace sluice::cli {

namespace {

std::string span(int64_t ms) {
  static const std::pair<int64_t, const char*> units[] = {
      {86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}};
  for (auto [unit, name] : units)
    if (ms >= unit)
      return std::to_string(ms / unit) + name;
  return {};
}

} // namespace

std::string human_time(int64_t epoch_ms, int64_t now) {
  std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  auto ago = now - epoch_ms;
  if (ago >= 1000)
    return std::string{buf} + " (" + span(ago) + " ago)";
  if (ago <= -1000)
    return std::string{buf} + " (in " + span(-ago) + ")";
  return std::string{buf} + " (just now)";
}

std::string human_time(std::string_view api_time, int64_t now) {
  if (auto ms = parse_rfc3339(api_time))
    return human_time(*ms, now);
  bool digits = !api_time.empty() && api_time.size() <= 16;
  for (char c : api_time)
    digits = digits && c >= '0' && c <= '9';
  if (digits)
    return human_time(std::stoll(std::string{api_time}), now);
  return std::string{api_time};
}

std::string human_time(std::string_view api_time) {
  return human_time(api_time, now_ms());
}

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace sluice::cli
