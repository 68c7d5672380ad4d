#include "actors/plugins/builtin/builtin_plugins.hpp"

#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "actors/plugins/builtin/file_sink.hpp"
#include "actors/plugins/builtin/webhook.hpp"
#include "http/outbound_policy.hpp"
#include "http/url.hpp"

namespace sluice {

// Not SLUICE_PLUGIN: that macro defines the exported `sluice_plugin_entry` symbol, of
// which a process can hold only one; these entries are plain functions named by the map.
std::map<std::string, builtin_plugin> builtin_plugins() {
  return {
      {"webhook",
       {&detail::entry<&detail::queue_blocking_with_async_class<builtin::webhook_plugin>>,
        &detail::async_entry<&detail::queue_async_with_class<builtin::webhook_plugin>>}},
      {"file-sink", &detail::entry<&detail::queue_with_class<builtin::file_sink_plugin>>},
  };
}

namespace {

std::optional<std::string> env_value(const std::vector<std::pair<std::string, std::string>>& env,
                                     std::string_view name) {
  for (const auto& [k, v] : env)
    if (k == name)
      return v;
  return std::nullopt;
}

using script_env = std::vector<std::pair<std::string, std::string>>;

/// What a built-in plugin reads from its script's variables: the names it knows and
/// which of them are numbers. A deploy naming anything else is refused, so that a
/// typo (`TIMEOUT` for `TIMEOUT_MS`) is not silently run with the default.
struct variables {
  std::string_view plugin;
  std::vector<std::string_view> names;
  std::vector<builtin::number_variable> numbers;
};

std::string check_variables(const script_env& env, const variables& known) {
  for (const auto& [name, value] : env) {
    bool listed = false;
    for (auto n : known.names)
      listed = listed || n == name;
    if (!listed) {
      std::string names;
      for (auto n : known.names)
        names += (names.empty() ? "" : ", ") + std::string(n);
      return "env." + name + " is not a variable of the built-in " + std::string(known.plugin)
             + " plugin (it reads " + names + ")";
    }
    for (const auto& number : known.numbers)
      if (number.name == name)
        if (auto why = builtin::number_error(number, value); !why.empty())
          return why;
  }
  return {};
}

std::string check_webhook(const script_env& env, bool all_accounts) {
  if (auto why = check_variables(
          env,
          {"webhook", {"URL", builtin::webhook_timeout_ms.name}, {builtin::webhook_timeout_ms}});
      !why.empty())
    return why;
  auto url = env_value(env, "URL");
  if (!url || url->empty())
    return "env.URL is required: the http:// URL the webhook POSTs each batch to";
  http::http_url parsed;
  try {
    parsed = http::parse_http_url(*url);
  } catch (const std::invalid_argument& e) {
    return std::string("env.URL: ") + e.what();
  }
  if (auto policy = http::outbound_policy::current())
    if (auto why = policy->check_host(parsed.host, all_accounts); !why.empty())
      return "env.URL: " + why;
  return {};
}

std::string check_file_sink(const script_env& env, bool) {
  if (auto why = check_variables(
          env, {"file-sink",
                {"DIR", builtin::file_sink_max_bytes.name, builtin::file_sink_max_seconds.name},
                {builtin::file_sink_max_bytes, builtin::file_sink_max_seconds}});
      !why.empty())
    return why;
  auto dir = env_value(env, "DIR");
  if (!dir || dir->empty())
    return "env.DIR is required: the directory, under the sink root, the file-sink writes to";
  if (auto policy = http::outbound_policy::current()) {
    try {
      policy->sink_directory(*dir);
    } catch (const std::invalid_argument& e) {
      return std::string("env.") + e.what();
    }
  }
  return {};
}

} // namespace

std::map<std::string, deploy_check> builtin_deploy_checks() {
  return {{"webhook", &check_webhook}, {"file-sink", &check_file_sink}};
}

} // namespace sluice
