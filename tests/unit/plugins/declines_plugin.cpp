// Test-only plugin "declines": its entry point returns NULL for every host version, as a
// plugin that cannot serve this hub's ABI does. The host must refuse it.

#include <sluice/plugin.hpp>

extern "C" const sluice_plugin_v1* sluice_plugin_entry(uint32_t) {
  return nullptr;
}
