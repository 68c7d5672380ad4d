#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <sluice/plugin.hpp>

#include "actors/plugins/host/plugin_host.hpp"

/// Internals of `plugin_host` shared by its sources, for them alone: plugin_host.cpp (the
/// pool, loading, the watchdog, stopping), plugin_host_async.cpp (asynchronous
/// invocations) and host_api.cpp (the callbacks of the C boundary).

namespace sluice::detail {
struct job;
} // namespace sluice::detail

/// The host's side of one invocation, behind the opaque handle of the C boundary.
struct sluice_host_batch {
  sluice_host_batch(std::size_t message_count, sluice::detail::job* j)
    : recorder(message_count), owner(j) {}

  sluice::outcome_recorder recorder;
  /// The script variables sorted by name, viewing the invocation's map.
  std::vector<std::pair<std::string_view, std::string_view>> env;
  std::mutex error_mutex;
  std::string error;
  sluice::detail::job* owner; ///< the job this batch belongs to (for `complete`)
};

namespace sluice::detail {

/// The callbacks of `sluice_host_api_v1` (host_api.cpp); plugin threads call them.
extern const sluice_host_api_v1 host_api;
/// `sluice_async_api_v1` (plugin_host_async.cpp): how asynchronous plugins end a call.
extern const sluice_async_api_v1 async_api;
/// `sluice_host_api_v1::fail`: records why the invocation failed (the last call wins).
void abi_fail(sluice_host_batch* host, const char* what, std::size_t what_len) noexcept;
/// `sluice_async_api_v1::complete`: ends an asynchronous invocation, once, on any thread.
void complete_async(sluice_host_batch* host, int status) noexcept;

enum class job_state { queued, running, done, timed_out };

struct plugin_host_core;
using steady = std::chrono::steady_clock;
using timer_key = std::pair<steady::time_point, std::uint64_t>;

/// One invocation on its way through the host. Shared by the pool thread running it and
/// the watchdog; addresses inside stay fixed (the plugin holds pointers into it).
struct job {
  job(std::string name, invocation i, invocation_done d)
    : plugin(std::move(name)), inv(std::move(i)), done(std::move(d)),
      host(inv.messages.size(), this) {
    raw_messages.reserve(inv.messages.size());
    for (const auto& m : inv.messages)
      raw_messages.push_back({m.id.c_str(), m.id.size(), m.timestamp_ms, m.body.c_str(),
                              m.body.size(), m.content_type.c_str(), m.content_type.size(),
                              m.attempts});
    for (const auto& [k, v] : inv.env) // std::map: already sorted by name
      host.env.emplace_back(k, v);
    batch = {inv.queue_name.c_str(),
             inv.queue_name.size(),
             raw_messages.data(),
             raw_messages.size(),
             &host,
             &host_api};
  }

  std::string plugin;
  invocation inv;
  invocation_done done; // moved out by whoever delivers the result
  std::vector<sluice_message_v1> raw_messages;
  sluice_host_batch host;
  sluice_batch_v1 batch{};

  std::mutex state_mutex;
  job_state state = job_state::queued;

  // Asynchronous invocations only. The job keeps itself alive from its start until its
  // plugin calls `complete` (the plugin holds pointers into it until then), even past a
  // time-out or the host's end; `core` is how `complete` finds the host, if it is still there.
  bool async = false;
  std::shared_ptr<job> keep_alive;
  std::weak_ptr<plugin_host_core> core;
  timer_key timer{};
};

using job_ptr = std::shared_ptr<job>;

/// Resolves the decisions and calls `done` exactly once (callers guarantee once).
void deliver(job& j, bool failed, std::string error) noexcept;

/// `deliver` for a handler that returned `status`: success, or a failure with
/// the error the plugin recorded ("exception: …"). Blocking and asynchronous
/// plugins alike.
void deliver_status(job& j, int status) noexcept;

struct loaded_plugin {
  const sluice_plugin_v1* table = nullptr;
  const sluice_plugin_async_v1* async_table = nullptr; ///< nullptr: blocking only
};

struct plugin_host_core : std::enable_shared_from_this<plugin_host_core> {
  explicit plugin_host_core(plugin_host_config c) : config(std::move(c)) {
    config.threads = std::max<std::size_t>(config.threads, 1);
    config.max_async = std::max<std::size_t>(config.max_async, 1);
    if (config.default_limit.count() <= 0)
      config.default_limit = plugin_host_config{}.default_limit;
    current.resize(config.threads);
  }

  /// Finds or loads plugin `name`; nullptr and `error` set on failure. Pool threads only.
  const loaded_plugin* resolve(const std::string& name, std::string& error);
  /// True when `name` is loaded already and asynchronous (so it needs no pool thread).
  bool known_async(const std::string& name);
  void worker_loop(std::size_t slot);
  void run(const job_ptr& j);
  /// Starts an asynchronous invocation (the starter thread, or `invoke` with inline_run).
  void start_async(const job_ptr& j, const loaded_plugin& plugin);
  void starter_loop();
  void add_timer(const job_ptr& j, timer_key& key);
  void watchdog_loop();
  /// Fails a running handler now with `error` and abandons its thread; no-op otherwise.
  void abandon(const job_ptr& j, const std::string& error);
  std::chrono::milliseconds limit_of(const job& j) const {
    return j.inv.limit.count() > 0 ? j.inv.limit : config.default_limit;
  }
  void leave_active();

  plugin_host_config config;

  // Pool: queue, stop flag, running jobs. `active` counts jobs taken from the queue that
  // have not completed or timed out; the destructor waits for it to reach zero.
  std::mutex mutex;
  std::condition_variable work_cv;
  std::condition_variable idle_cv;
  std::deque<job_ptr> queue;
  std::vector<job_ptr> current; // per pool slot
  std::size_t active = 0;
  bool stopping = false;
  std::atomic<std::size_t> abandoned{0};
  std::vector<std::thread> workers;

  // Asynchronous invocations (under `mutex`): waiting to start, started and not yet
  // delivered (shutdown fails them), started and not yet completed by the plugin (counted
  // against max_async), and the one the starter is starting.
  std::condition_variable async_cv;
  std::deque<job_ptr> async_queue;
  std::set<job_ptr> async_running;
  std::size_t async_started = 0;
  job_ptr starting;
  std::thread starter;

  std::mutex load_mutex;
  std::map<std::string, loaded_plugin> loaded; // never unloaded

  // Watchdog: deadlines of running handlers.
  std::mutex timer_mutex;
  std::condition_variable timer_cv;
  std::map<timer_key, job_ptr> timers;
  std::uint64_t next_timer = 0;
  bool timer_stopping = false;
  std::thread watchdog;
};

} // namespace sluice::detail
