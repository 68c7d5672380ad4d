// log — a consumer plugin that prints each batch (queue name, then one line per message:
// id, attempts, content type and body) to stderr and returns normally, so every message
// is acked. Env: PREFIX (default "sluice-log") starts every line.
//
// Built by the project into build/plugins/log.so. Out of tree:
//   g++ -std=c++17 -O2 -fPIC -shared -I<sluice>/actors/include log.cpp -o log.so
// then copy log.so into the hub's --plugin-dir and deploy a script with "plugin": "log".

#include <sluice/plugin.hpp>

#include <iostream>
#include <sstream>

class log_plugin {
public:
  void queue(sluice::MessageBatch& batch, sluice::Env& env) {
    const std::string prefix = env.get_or("PREFIX", "sluice-log");
    // One write per batch, so concurrent invocations do not interleave their lines.
    std::ostringstream out;
    out << prefix << ": queue " << batch.queue_name() << ", " << batch.messages().size()
        << " message(s)\n";
    for (const auto& m : batch.messages()) {
      out << prefix << ":   " << m.id() << " attempts=" << m.attempts() << ' ' << m.content_type()
          << ' ';
      if (m.content_type() == "bytes")
        out << m.body().size() << " bytes";
      else
        out << m.body();
      out << '\n';
    }
    std::cerr << out.str() << std::flush;
  }
};

SLUICE_PLUGIN(log_plugin)
