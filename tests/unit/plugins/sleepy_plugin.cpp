// Test-only plugin "sleepy": sleeps SLEEP_MS (default 2000) milliseconds, then acks every
// message explicitly. Used to run past an invocation's wall-clock limit; the late acks
// must be ignored.

#include <sluice/plugin.hpp>

#include <chrono>
#include <string>
#include <thread>

class sleepy_plugin {
public:
  void queue(sluice::MessageBatch& batch, sluice::Env& env) {
    const auto ms = std::stoll(env.get_or("SLEEP_MS", "2000"));
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    for (const auto& m : batch.messages())
      m.ack();
  }
};

SLUICE_PLUGIN(sleepy_plugin)
