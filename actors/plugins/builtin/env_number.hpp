#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <sluice/plugin.hpp>

namespace sluice::builtin {

/// A numeric script variable of a built-in plugin: a whole number from 1 to `max`,
/// `fallback` when it is not set.
struct number_variable {
  std::string_view name;
  std::uint64_t fallback;
  std::uint64_t max;
};

/// Why `text` is not a valid value of `v` ("env.NAME must be a whole number from 1 to
/// MAX, got '…'"); empty when it is. The one rule for deploy-time checks and invocations.
std::string number_error(const number_variable& v, std::string_view text);

/// The script variable `v` as a number, or its fallback when it is not set. Throws
/// std::runtime_error "<plugin>: <number_error>" when it is set to anything else: a
/// typo in a script should fail its invocations loudly rather than run with a
/// surprising default (deploys check it first; this guards scripts stored before).
std::uint64_t positive_env(const Env& env, std::string_view plugin, const number_variable& v);

} // namespace sluice::builtin
