#include "actors/plugins/host/plugin_host.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <string_view>

#include "actors/plugins/host/plugin_host_core.hpp"

namespace sluice {

bool valid_plugin_name(const std::string& name) {
  if (name.empty() || name.size() > 64)
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
           || c == '-';
  });
}

namespace detail {

/// Resolves the decisions and calls `done` exactly once (callers guarantee once).
void deliver(job& j, bool failed, std::string error) noexcept {
  invocation_result result;
  result.decisions = j.host.recorder.finish(failed);
  result.failed = failed;
  result.error = std::move(error);
  invocation_done done = std::move(j.done);
  j.done = nullptr;
  if (done)
    done(std::move(result));
}

void deliver_status(job& j, int status) noexcept {
  if (status == SLUICE_HANDLER_OK) {
    deliver(j, false, {});
    return;
  }
  std::string what;
  {
    std::lock_guard<std::mutex> lock(j.host.error_mutex);
    what = j.host.error;
  }
  if (what.empty())
    what = "plugin reported failure without a message";
  deliver(j, true, "exception: " + what);
}

namespace {

/// Calls a plugin's entry function with this hub's ABI version and checks the table it
/// returns. `where` names the plugin in errors ("PATH" or "built-in"). nullptr and
/// `error` set when the plugin is refused. The same checks for dlopen'ed and built-in
/// plugins, so a built-in cannot slip past them.
const sluice_plugin_v1* checked_table(const std::string& name, const std::string& where,
                                      sluice_plugin_entry_fn entry, std::string& error) {
  auto refuse = [&](const std::string& why) -> const sluice_plugin_v1* {
    error = "plugin '" + name + "' (" + where + ") " + why;
    return nullptr;
  };
  if (entry == nullptr)
    return refuse("has no entry function");
  const sluice_plugin_v1* table = nullptr;
  try {
    table = entry(SLUICE_PLUGIN_ABI_VERSION);
  } catch (...) {
    return refuse("threw from " SLUICE_PLUGIN_ENTRY_SYMBOL);
  }
  const std::string host_version = std::to_string(SLUICE_PLUGIN_ABI_VERSION);
  if (table == nullptr)
    return refuse("does not support plugin ABI version " + host_version
                  + " (rebuild it against this hub's sluice/plugin.hpp)");
  if (table->abi_version != SLUICE_PLUGIN_ABI_VERSION)
    return refuse("was built for plugin ABI version " + std::to_string(table->abi_version)
                  + "; this hub speaks version " + host_version);
  if (table->queue == nullptr)
    return refuse("has no queue handler");
  return table;
}

/// The asynchronous table of a plugin whose v1 table passed `checked_table`: nullptr
/// without `error` when it has none (no entry, or NULL for this hub: it runs blocking),
/// nullptr with `error` when the table it returns is unusable.
const sluice_plugin_async_v1* checked_async_table(const std::string& name, const std::string& where,
                                                  sluice_plugin_async_entry_fn entry,
                                                  std::string& error) {
  if (entry == nullptr)
    return nullptr;
  const sluice_plugin_async_v1* table = nullptr;
  try {
    table = entry(SLUICE_PLUGIN_ABI_VERSION);
  } catch (...) {
    error = "plugin '" + name + "' (" + where + ") threw from " SLUICE_PLUGIN_ASYNC_ENTRY_SYMBOL;
    return nullptr;
  }
  if (table == nullptr)
    return nullptr;
  if (table->abi_version != SLUICE_PLUGIN_ABI_VERSION || table->queue_async == nullptr) {
    error = "plugin '" + name + "' (" + where
            + ") has an unusable " SLUICE_PLUGIN_ASYNC_ENTRY_SYMBOL " table (ABI version "
            + std::to_string(table->abi_version) + ")";
    return nullptr;
  }
  return table;
}

} // namespace

const loaded_plugin* plugin_host_core::resolve(const std::string& name, std::string& error) {
  if (!valid_plugin_name(name)) {
    error = "invalid plugin name '" + name + "' (1-64 letters, digits, '_' or '-')";
    return nullptr;
  }
  std::lock_guard<std::mutex> lock(load_mutex);
  if (auto it = loaded.find(name); it != loaded.end())
    return &it->second;

  // Built-ins first: they win over a same-named file in the directory.
  if (auto builtin = config.builtins.find(name); builtin != config.builtins.end()) {
    const sluice_plugin_v1* table = checked_table(name, "built-in", builtin->second.entry, error);
    if (table == nullptr)
      return nullptr;
    const sluice_plugin_async_v1* async =
        checked_async_table(name, "built-in", builtin->second.async_entry, error);
    if (async == nullptr && !error.empty())
      return nullptr;
    return &loaded.emplace(name, loaded_plugin{table, async}).first->second;
  }

  namespace fs = std::filesystem;
  std::string path;
  for (const auto& file : {name + ".so", "lib" + name + ".so"}) {
    std::error_code ec;
    fs::path candidate = fs::path(config.dir) / file;
    if (fs::is_regular_file(candidate, ec)) {
      path = candidate.string();
      break;
    }
  }
  if (path.empty()) {
    error = "plugin '" + name + "' not found in " + config.dir + " (looked for " + name
            + ".so and lib" + name + ".so)";
    return nullptr;
  }

  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    error = "cannot load plugin '" + name + "' from " + path + ": " + (why ? why : "dlopen failed");
    return nullptr;
  }
  void* symbol = dlsym(handle, SLUICE_PLUGIN_ENTRY_SYMBOL);
  if (symbol == nullptr) {
    error = "plugin '" + name + "' (" + path
            + ") does not export " SLUICE_PLUGIN_ENTRY_SYMBOL " (is SLUICE_PLUGIN(...) missing?)";
    dlclose(handle);
    return nullptr;
  }
  sluice_plugin_entry_fn entry = nullptr;
  static_assert(sizeof(entry) == sizeof(symbol));
  std::memcpy(&entry, &symbol, sizeof(entry)); // POSIX: dlsym's object pointer is the function
  const sluice_plugin_v1* table = checked_table(name, path, entry, error);
  if (table == nullptr) {
    dlclose(handle);
    return nullptr;
  }
  sluice_plugin_async_entry_fn async_entry = nullptr;
  if (void* async_symbol = dlsym(handle, SLUICE_PLUGIN_ASYNC_ENTRY_SYMBOL))
    std::memcpy(&async_entry, &async_symbol, sizeof(async_entry));
  const sluice_plugin_async_v1* async = checked_async_table(name, path, async_entry, error);
  if (async == nullptr && !error.empty()) {
    dlclose(handle);
    return nullptr;
  }
  return &loaded.emplace(name, loaded_plugin{table, async}).first->second;
}

bool plugin_host_core::known_async(const std::string& name) {
  {
    std::lock_guard<std::mutex> lock(load_mutex);
    if (auto it = loaded.find(name); it != loaded.end())
      return it->second.async_table != nullptr;
  }
  // A built-in resolves without I/O (its entry is a function of the executable), so it
  // is resolved here and never needs a pool thread; a library is loaded on the pool.
  if (config.builtins.count(name) == 0)
    return false;
  std::string error;
  const loaded_plugin* plugin = resolve(name, error);
  return plugin != nullptr && plugin->async_table != nullptr;
}

void plugin_host_core::add_timer(const job_ptr& j, timer_key& key) {
  {
    std::lock_guard<std::mutex> lock(timer_mutex);
    key = {steady::now() + limit_of(*j), next_timer++};
    timers.emplace(key, j);
  }
  timer_cv.notify_all();
}

void plugin_host_core::leave_active() {
  std::lock_guard<std::mutex> lock(mutex);
  --active;
  idle_cv.notify_all();
}

void plugin_host_core::worker_loop(std::size_t slot) {
  for (;;) {
    job_ptr j;
    {
      std::unique_lock<std::mutex> lock(mutex);
      work_cv.wait(lock, [&] { return stopping || !queue.empty(); });
      if (stopping)
        return; // the destructor completes whatever is still queued
      j = std::move(queue.front());
      queue.pop_front();
      current[slot] = j;
      ++active;
    }
    run(j);
    std::lock_guard<std::mutex> lock(mutex);
    current[slot].reset();
  }
}

void plugin_host_core::run(const job_ptr& j) {
  std::string error;
  const loaded_plugin* plugin = resolve(j->plugin, error);
  if (plugin == nullptr) {
    {
      std::lock_guard<std::mutex> lock(j->state_mutex);
      j->state = job_state::done;
    }
    deliver(*j, true, std::move(error));
    leave_active();
    return;
  }
  if (plugin->async_table != nullptr) {
    if (config.inline_run) {
      start_async(j, *plugin);
      return;
    }
    // Loaded just now on a pool thread: the starter takes it from here (first in line,
    // it waited longest), and later invocations go there directly.
    bool stopped = false;
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopped = stopping; // the starter is gone: nobody would take it
      if (!stopped) {
        async_queue.push_front(j);
        --active;
      }
    }
    if (stopped) {
      {
        std::lock_guard<std::mutex> state_lock(j->state_mutex);
        j->state = job_state::done;
      }
      deliver(*j, true, "plugin host stopped");
      leave_active();
      return;
    }
    idle_cv.notify_all();
    async_cv.notify_one();
    return;
  }

  timer_key key;
  bool stopped = false;
  {
    // Under the pool lock, so the destructor either sees the handler running (and
    // applies the grace to it) or this job sees the stop and never starts it.
    std::lock_guard<std::mutex> lock(mutex);
    std::lock_guard<std::mutex> state_lock(j->state_mutex);
    stopped = stopping;
    j->state = stopped ? job_state::done : job_state::running;
  }
  if (stopped) {
    deliver(*j, true, "plugin host stopped");
    leave_active();
    return;
  }
  add_timer(j, key);

  int status = SLUICE_HANDLER_FAILED;
  try {
    status = plugin->table->queue(&j->batch);
  } catch (...) {
    // Only a plugin that bypasses SLUICE_PLUGIN can get here.
    constexpr std::string_view what = "unknown exception escaped the plugin boundary";
    abi_fail(&j->host, what.data(), what.size());
  }

  {
    std::lock_guard<std::mutex> lock(timer_mutex);
    timers.erase(key);
  }
  {
    std::lock_guard<std::mutex> lock(j->state_mutex);
    if (j->state == job_state::timed_out) {
      // Already reported as a time-out; the late return changes nothing.
      --abandoned;
      return;
    }
    j->state = job_state::done;
  }
  deliver_status(*j, status);
  leave_active();
}

void plugin_host_core::abandon(const job_ptr& j, const std::string& error) {
  {
    std::lock_guard<std::mutex> lock(j->state_mutex);
    if (j->state != job_state::running)
      return;
    j->state = job_state::timed_out;
    if (!j->async) // an asynchronous one holds no thread
      ++abandoned;
  }
  if (j->async) {
    std::lock_guard<std::mutex> lock(mutex);
    async_running.erase(j);
  }
  deliver(*j, true, error);
  leave_active();
}

void plugin_host_core::watchdog_loop() {
  std::unique_lock<std::mutex> lock(timer_mutex);
  while (!timer_stopping) {
    if (timers.empty()) {
      timer_cv.wait(lock);
      continue;
    }
    auto first = timers.begin();
    // A copy: the node may be erased while we wait without the lock.
    const steady::time_point deadline = first->first.first;
    if (steady::now() < deadline) {
      timer_cv.wait_until(lock, deadline);
      continue;
    }
    job_ptr j = std::move(first->second);
    timers.erase(first);
    lock.unlock();
    abandon(j, "timeout after " + std::to_string(limit_of(*j).count()) + " ms");
    lock.lock();
  }
}

} // namespace detail

plugin_host::plugin_host(plugin_host_config config)
  : core_(std::make_shared<detail::plugin_host_core>(std::move(config))) {
  if (core_->config.inline_run)
    return;
  // Each thread keeps the core alive: an abandoned handler may outlive the host object.
  for (std::size_t i = 0; i < core_->config.threads; ++i)
    core_->workers.emplace_back([c = core_, i] { c->worker_loop(i); });
  core_->starter = std::thread([c = core_] { c->starter_loop(); });
  core_->watchdog = std::thread([c = core_] { c->watchdog_loop(); });
}

plugin_host::~plugin_host() {
  shutdown();
}

void plugin_host::shutdown() {
  auto& c = *core_;
  std::deque<detail::job_ptr> pending;
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    if (c.stopping)
      return;
    c.stopping = true;
    pending.swap(c.queue);
    pending.insert(pending.end(), c.async_queue.begin(), c.async_queue.end());
    c.async_queue.clear();
  }
  c.work_cv.notify_all();
  c.async_cv.notify_all();
  for (auto& j : pending)
    detail::deliver(*j, true, "plugin host stopped");
  std::vector<detail::job_ptr> running;
  {
    // Running handlers return, time out (the watchdog still runs) or use up the grace.
    std::unique_lock<std::mutex> lock(c.mutex);
    if (!c.idle_cv.wait_for(lock, c.config.shutdown_grace, [&] { return c.active == 0; })) {
      for (const auto& j : c.current)
        if (j)
          running.push_back(j);
      running.insert(running.end(), c.async_running.begin(), c.async_running.end());
    }
  }
  for (const auto& j : running)
    c.abandon(j, "plugin host stopped while the handler ran");
  {
    // Jobs between the queue and their handler (loading) finish without the grace.
    std::unique_lock<std::mutex> lock(c.mutex);
    c.idle_cv.wait(lock, [&] { return c.active == 0; });
  }
  {
    std::lock_guard<std::mutex> lock(c.timer_mutex);
    c.timer_stopping = true;
  }
  c.timer_cv.notify_all();
  if (c.watchdog.joinable())
    c.watchdog.join();
  if (c.starter.joinable()) {
    bool stuck = false;
    {
      std::lock_guard<std::mutex> lock(c.mutex);
      stuck = c.starting != nullptr; // a queue_async that blocks, against its contract
    }
    if (stuck)
      c.starter.detach();
    else
      c.starter.join();
  }
  for (std::size_t i = 0; i < c.workers.size(); ++i) {
    bool stuck = false;
    {
      std::lock_guard<std::mutex> lock(c.mutex);
      if (const auto& j = c.current[i]) {
        std::lock_guard<std::mutex> state_lock(j->state_mutex);
        stuck = j->state == detail::job_state::timed_out;
      }
    }
    if (stuck)
      c.workers[i].detach(); // exits on its own once the handler returns
    else
      c.workers[i].join();
  }
}

void plugin_host::invoke(const std::string& plugin, invocation inv, invocation_done done) {
  auto j = std::make_shared<detail::job>(plugin, std::move(inv), std::move(done));
  // A plugin loaded already and asynchronous needs no pool thread: the starter takes it.
  const bool async = !core_->config.inline_run && core_->known_async(plugin);
  bool stopped = false;
  {
    std::lock_guard<std::mutex> lock(core_->mutex);
    stopped = core_->stopping;
    if (!stopped && core_->config.inline_run)
      ++core_->active; // run() leaves it
    else if (!stopped && async)
      core_->async_queue.push_back(j);
    else if (!stopped)
      core_->queue.push_back(j);
  }
  if (stopped)
    detail::deliver(*j, true, "plugin host stopped");
  else if (core_->config.inline_run)
    core_->run(j);
  else if (async)
    core_->async_cv.notify_one();
  else
    core_->work_cv.notify_one();
}

std::string plugin_host::check_deploy(const std::string& plugin,
                                      const std::vector<std::pair<std::string, std::string>>& env,
                                      bool all_accounts) const {
  auto it = config().deploy_checks.find(plugin);
  return it == config().deploy_checks.end() ? std::string{} : it->second(env, all_accounts);
}

std::vector<std::string> plugin_host::available() const {
  namespace fs = std::filesystem;
  std::set<std::string> names;
  for (const auto& builtin : core_->config.builtins)
    if (valid_plugin_name(builtin.first))
      names.insert(builtin.first);
  std::error_code ec;
  for (fs::directory_iterator it(core_->config.dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code file_ec;
    if (!it->is_regular_file(file_ec))
      continue;
    std::string file = it->path().filename().string();
    if (file.size() <= 3 || file.compare(file.size() - 3, 3, ".so") != 0)
      continue;
    std::string name = file.substr(0, file.size() - 3);
    if (name.size() > 3 && name.compare(0, 3, "lib") == 0)
      name.erase(0, 3);
    if (valid_plugin_name(name))
      names.insert(name);
  }
  return {names.begin(), names.end()};
}

std::size_t plugin_host::abandoned() const {
  return core_->abandoned.load();
}

std::size_t plugin_host::async_in_flight() const {
  std::lock_guard<std::mutex> lock(core_->mutex);
  return core_->async_started;
}

const plugin_host_config& plugin_host::config() const {
  return core_->config;
}

} // namespace sluice
