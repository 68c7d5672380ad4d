// Test-only plugin "no_entry": a shared library without sluice_plugin_entry. The host
// must refuse it.

extern "C" __attribute__((visibility("default"))) int not_a_sluice_plugin() {
  return 0;
}
