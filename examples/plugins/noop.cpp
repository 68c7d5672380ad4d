// noop — the smallest consumer plugin: it returns at once, so every message is acked. The
// push benchmark (docs/benchmarks.md, `sluice_bench --scenario push`) runs it to measure the
// hub's own cost of push delivery: lease, invocation, settle.
//
// Built by the project into build/plugins/noop.so.

#include <sluice/plugin.hpp>

class noop_plugin {
public:
  void queue(sluice::MessageBatch&, sluice::Env&) {}
};

SLUICE_PLUGIN(noop_plugin)
