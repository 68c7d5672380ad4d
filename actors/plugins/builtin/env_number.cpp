#include "actors/plugins/builtin/env_number.hpp"

#include <charconv>
#include <stdexcept>

namespace sluice::builtin {

std::string number_error(const number_variable& v, std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (!text.empty() && ec == std::errc{} && ptr == end && value != 0 && value <= v.max)
    return {};
  return "env." + std::string(v.name) + " must be a whole number from 1 to " + std::to_string(v.max)
         + ", got '" + std::string(text) + "'";
}

std::uint64_t positive_env(const Env& env, std::string_view plugin, const number_variable& v) {
  auto text = env.get(v.name);
  if (!text)
    return v.fallback;
  if (auto why = number_error(v, *text); !why.empty())
    throw std::runtime_error(std::string(plugin) + ": " + why);
  return std::stoull(*text);
}

} // namespace sluice::builtin
