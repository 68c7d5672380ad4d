// Test-only plugin "throws": makes some calls, then throws. Env MODE picks the calls:
//   (unset)    ack message 0, retry message 1 after 7 s, throw std::runtime_error("boom")
//   ack_all    ack_all, retry message 0 after 3 s, throw std::runtime_error("after ack_all")
//   retry_all  retry_all after 5 s, ack message 0, throw std::runtime_error("after retry_all")
//   non_std    throw 42 (not a std::exception)

#include <sluice/plugin.hpp>

#include <stdexcept>

class throws_plugin {
public:
  void queue(sluice::MessageBatch& batch, sluice::Env& env) {
    const auto& messages = batch.messages();
    const std::string mode = env.get_or("MODE", "");
    if (mode == "ack_all") {
      batch.ack_all();
      messages.at(0).retry({3});
      throw std::runtime_error("after ack_all");
    }
    if (mode == "retry_all") {
      batch.retry_all({5});
      messages.at(0).ack();
      throw std::runtime_error("after retry_all");
    }
    if (mode == "non_std")
      throw 42;
    messages.at(0).ack();
    messages.at(1).retry({7});
    throw std::runtime_error("boom");
  }
};

SLUICE_PLUGIN(throws_plugin)
