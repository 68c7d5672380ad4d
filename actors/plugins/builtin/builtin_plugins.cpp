#include "actors/plugins/builtin/builtin_plugins.hpp"

#include <optional>
#include <stdexcept>
#include <string_view>

#include "actors/plugins/builtin/file_sink.hpp"
#include "actors/plugins/builtin/webhook.hpp"
#include "http/outbound_policy.hpp"
#include "http/url.hpp"

namespace sluice {

// Not SLUICE_PLUGIN: that macro defines the exported `sluice_plugin_entry` symbol, of
// which a process can hold only one; these entries are plain functions named by the map.
std::map<std::string, sluice_plugin_entry_fn> builtin_plugins() {
  return {
      {"webhook", &detail::entry<&detail::queue_with_class<builtin::webhook_plugin>>},
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

std::string check_webhook(const std::vector<std::pair<std::string, std::string>>& env,
                          bool all_accounts) {
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

std::string check_file_sink(const std::vector<std::pair<std::string, std::string>>& env, bool) {
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
