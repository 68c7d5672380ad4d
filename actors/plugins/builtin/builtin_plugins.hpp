#pragma once

#include <map>
#include <string>

#include <sluice/plugin.hpp>

namespace sluice {

/// The plugins compiled into the `sluice` executable (docs/plugins.md), by plugin name, ready for
/// `plugin_host_config::builtins`: "webhook" (actors/plugins/builtin/webhook.hpp) and
/// "file-sink" (file_sink.hpp). Each value is an ordinary ABI v1 entry function, so the
/// host treats a built-in like a loaded library. See docs/plugins.md "Built-in plugins".
std::map<std::string, sluice_plugin_entry_fn> builtin_plugins();

} // namespace sluice
