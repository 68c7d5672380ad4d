#include "actors/control/script_rules.hpp"

#include <algorithm>

#include "actors/plugins/host/plugin_host.hpp"

namespace sluice {

namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool env_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

} // namespace

std::string check_script(const storage::script_record& s) {
  if (s.name.empty() || s.name.size() > max_script_name_length
      || !std::all_of(s.name.begin(), s.name.end(), name_char))
    return "script name '" + s.name
           + "' is invalid: use 1-63 lowercase letters, digits, '-' or '_'";
  if (!valid_plugin_name(s.plugin))
    return "plugin '" + s.plugin + "' is invalid: use 1-64 letters, digits, '-' or '_'";
  if (s.env.size() > max_script_env_vars)
    return "env has " + std::to_string(s.env.size()) + " variables; at most "
           + std::to_string(max_script_env_vars) + " are allowed";
  size_t bytes = 0;
  for (const auto& [k, v] : s.env) {
    if (k.empty() || k.size() > 256 || !std::all_of(k.begin(), k.end(), env_char))
      return "env: variable name '" + k + "' is invalid: use 1-256 letters, digits or '_'";
    bytes += k.size() + v.size();
  }
  if (bytes > max_script_env_bytes)
    return "env is " + std::to_string(bytes) + " bytes; at most "
           + std::to_string(max_script_env_bytes) + " are allowed";
  return {};
}

} // namespace sluice
