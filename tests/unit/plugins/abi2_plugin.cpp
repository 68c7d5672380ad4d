// Test-only plugin "abi2": hand-written entry point claiming plugin ABI version 2, as a
// plugin built against a newer header would. The host must refuse it.

#include <sluice/plugin.hpp>

namespace {

int handler(const sluice_batch_v1*) {
  return SLUICE_HANDLER_OK;
}

const sluice_plugin_v1 table = {2, handler};

} // namespace

extern "C" const sluice_plugin_v1* sluice_plugin_entry(uint32_t) {
  return &table;
}
