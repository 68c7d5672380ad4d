#include "actors/plugins/builtin/builtin_plugins.hpp"

#include "actors/plugins/builtin/file_sink.hpp"
#include "actors/plugins/builtin/webhook.hpp"

namespace sluice {

// Not SLUICE_PLUGIN: that macro defines the exported `sluice_plugin_entry` symbol, of
// which a process can hold only one; these entries are plain functions named by the map.
std::map<std::string, sluice_plugin_entry_fn> builtin_plugins() {
  return {
      {"webhook", &detail::entry<&detail::queue_with_class<builtin::webhook_plugin>>},
      {"file-sink", &detail::entry<&detail::queue_with_class<builtin::file_sink_plugin>>},
  };
}

} // namespace sluice
