#include <string>
#include <string_view>

#include "actors/plugins/host/plugin_host_core.hpp"

// Asynchronous invocations (docs/plugins.md "Asynchronous plugins"): started by the
// starter thread, completed by the plugin on a thread of its own, timed by the watchdog.

namespace sluice::detail {

const sluice_async_api_v1 async_api = {&complete_async};

void plugin_host_core::start_async(const job_ptr& j, const loaded_plugin& plugin) {
  {
    // As in run(): the stop either sees the invocation running or it never starts.
    std::lock_guard<std::mutex> lock(mutex);
    std::lock_guard<std::mutex> state_lock(j->state_mutex);
    if (stopping) {
      j->state = job_state::done;
    } else {
      j->state = job_state::running;
      j->async = true;
      j->keep_alive = j;
      j->core = weak_from_this();
      async_running.insert(j);
      ++async_started;
    }
  }
  if (!j->async) {
    deliver(*j, true, "plugin host stopped");
    leave_active();
    return;
  }
  add_timer(j, j->timer);
  try {
    plugin.async_table->queue_async(&j->batch, &async_api);
  } catch (...) {
    // Only a plugin that bypasses SLUICE_PLUGIN_ASYNC can get here; whether it completed
    // before throwing is unknown, so it is not completed here (the limit still applies).
    constexpr std::string_view what = "unknown exception escaped the plugin boundary";
    abi_fail(&j->host, what.data(), what.size());
  }
}

void plugin_host_core::starter_loop() {
  std::unique_lock<std::mutex> lock(mutex);
  for (;;) {
    async_cv.wait(lock, [&] {
      return stopping || (!async_queue.empty() && async_started < config.max_async);
    });
    if (stopping)
      return; // shutdown completes whatever is still queued
    job_ptr j = std::move(async_queue.front());
    async_queue.pop_front();
    ++active;
    starting = j;
    lock.unlock();
    std::string error;
    const loaded_plugin* plugin = resolve(j->plugin, error); // loaded: a map lookup
    if (plugin != nullptr && plugin->async_table != nullptr) {
      start_async(j, *plugin);
    } else {
      {
        std::lock_guard<std::mutex> state_lock(j->state_mutex);
        j->state = job_state::done;
      }
      deliver(*j, true,
              error.empty() ? "plugin '" + j->plugin + "' lost its asynchronous entry" : error);
      leave_active();
    }
    lock.lock();
    starting.reset();
  }
}

void complete_async(sluice_host_batch* host, int status) noexcept {
  if (host == nullptr || host->owner == nullptr)
    return;
  job_ptr j = std::move(host->owner->keep_alive); // freed when this returns
  if (!j)
    return; // a second call (the contract forbids it; tolerated while the job lives)
  bool deliver_now = false;
  {
    std::lock_guard<std::mutex> lock(j->state_mutex);
    deliver_now = j->state == job_state::running;
    if (deliver_now)
      j->state = job_state::done;
  }
  auto core = j->core.lock();
  if (core) {
    {
      std::lock_guard<std::mutex> lock(core->timer_mutex);
      core->timers.erase(j->timer);
    }
    {
      std::lock_guard<std::mutex> lock(core->mutex);
      --core->async_started;
      if (deliver_now)
        core->async_running.erase(j);
    }
    core->async_cv.notify_one();
  }
  if (!deliver_now)
    return; // timed out or stopped: already reported
  deliver_status(*j, status);
  if (core)
    core->leave_active();
}

} // namespace sluice::detail
