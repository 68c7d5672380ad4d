// backoff — a consumer plugin deciding per message: a message whose body is exactly
// "fail" is retried with an exponential delay of min(2^attempts, 3600) seconds; every
// other message is acked. Shows the function form of the export macro.
//
// Built by the project into build/plugins/backoff.so. Out of tree:
//   g++ -std=c++17 -O2 -fPIC -shared -I<sluice>/actors/include backoff.cpp -o backoff.so
// then copy backoff.so into the hub's --plugin-dir and deploy a script with
// "plugin": "backoff".

#include <sluice/plugin.hpp>

#include <algorithm>
#include <cstdint>

namespace {

std::uint32_t backoff_delay(std::uint32_t attempts) {
  constexpr std::uint32_t cap = 3600;
  // 2^12 > 3600 already; stopping there also keeps the shift defined.
  return attempts >= 12 ? cap : std::min<std::uint32_t>(std::uint32_t{1} << attempts, cap);
}

void backoff(sluice::MessageBatch& batch, sluice::Env&) {
  for (const auto& m : batch.messages()) {
    if (m.body() == "fail")
      m.retry({backoff_delay(m.attempts())});
    else
      m.ack();
  }
}

} // namespace

SLUICE_PLUGIN_EXPORT(backoff)
