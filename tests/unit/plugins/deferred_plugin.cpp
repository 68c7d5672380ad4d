// Test-only plugin "deferred": an asynchronous plugin (SLUICE_PLUGIN_ASYNC) loaded from a
// library. Each invocation returns from queue_async at once and completes on a thread of
// its own: it retries the message whose body is "later" after 5 s, acks the rest by
// returning normally, and fails the invocation when a body is "fail".

#include <sluice/plugin.hpp>

#include <memory>
#include <thread>

class deferred_plugin {
public:
  void queue_async(std::shared_ptr<sluice::AsyncInvocation> inv) {
    std::thread([inv] {
      bool fail = false;
      for (const auto& m : inv->batch().messages()) {
        if (m.body() == "later")
          m.retry({5});
        fail = fail || m.body() == "fail";
      }
      if (fail)
        inv->fail("deferred failure");
      else
        inv->succeed();
    }).detach();
  }
};

SLUICE_PLUGIN_ASYNC(deferred_plugin)
