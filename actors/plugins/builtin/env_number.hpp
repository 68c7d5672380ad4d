#pragma once

#include <cstdint>
#include <string_view>

#include <sluice/plugin.hpp>

namespace sluice::builtin {

/// The script variable `name` as a positive integer, or `fallback` when it is not set.
/// Throws std::runtime_error naming `plugin` and the variable when it is set to anything
/// but decimal digits with a value from 1 to `max`: a typo in a script should fail its
/// invocations loudly rather than run with a surprising default.
std::uint64_t positive_env(const Env& env, std::string_view plugin, std::string_view name,
                           std::uint64_t fallback, std::uint64_t max = UINT64_MAX);

} // namespace sluice::builtin
