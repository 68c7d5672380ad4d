#pragma once

#include <map>
#include <string>

#include <sluice/plugin.hpp>

#include "actors/plugins/host/plugin_host.hpp"

namespace sluice {

/// The plugins compiled into the `sluice` executable (docs/plugins.md), by plugin name, ready for
/// `plugin_host_config::builtins`: "webhook" (actors/plugins/builtin/webhook.hpp) and
/// "file-sink" (file_sink.hpp). Each value holds an ordinary ABI v1 entry function, so the
/// host treats a built-in like a loaded library; the webhook's also holds its
/// asynchronous entry. See docs/plugins.md "Built-in plugins".
std::map<std::string, builtin_plugin> builtin_plugins();

/// Their deploy-time checks, for `plugin_host_config::deploy_checks`: webhook's URL
/// (an http URL whose host the installed outbound_policy lets the deployer name) and
/// file-sink's DIR (under the sink root).
std::map<std::string, deploy_check> builtin_deploy_checks();

} // namespace sluice
