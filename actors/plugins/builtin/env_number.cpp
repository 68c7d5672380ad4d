#include "actors/plugins/builtin/env_number.hpp"

#include <charconv>
#include <stdexcept>
#include <string>

namespace sluice::builtin {

std::uint64_t positive_env(const Env& env, std::string_view plugin, std::string_view name,
                           std::uint64_t fallback, std::uint64_t max) {
  auto text = env.get(name);
  if (!text)
    return fallback;
  std::uint64_t value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (text->empty() || ec != std::errc{} || ptr != end || value == 0 || value > max)
    throw std::runtime_error(std::string(plugin) + ": env." + std::string(name)
                             + " must be a whole number from 1 to " + std::to_string(max)
                             + ", got '" + *text + "'");
  return value;
}

} // namespace sluice::builtin
