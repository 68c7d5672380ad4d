#pragma once

#include <string>

#include "storage/records.hpp"

/// The bounds of a script (docs/plugins.md) as a pure function the hub calls and unit
/// tests drive directly.

namespace sluice {

inline constexpr size_t max_script_name_length = 63;
inline constexpr size_t max_script_env_vars = 64;
inline constexpr size_t max_script_env_bytes = 64 * 1000;

/// Checks a script about to be stored: its name (1–63 of `[a-z0-9_-]`, as a
/// Worker's), its plugin name (as `valid_plugin_name`), and its variables
/// (names 1–256 chars of `[A-Za-z0-9_]`, at most 64, at most 64 KB in all).
/// Empty when valid, else a message naming the field.
std::string check_script(const storage::script_record& s);

} // namespace sluice
