#include "actors/plugins/host/plugin_host.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>
#include <utility>

#include <sluice/plugin.hpp>

/// The host's side of one invocation, behind the opaque handle of the C boundary.
struct sluice_host_batch {
  explicit sluice_host_batch(std::size_t message_count) : recorder(message_count) {}

  sluice::outcome_recorder recorder;
  /// The script variables sorted by name, viewing the invocation's map.
  std::vector<std::pair<std::string_view, std::string_view>> env;
  std::mutex error_mutex;
  std::string error;
};

namespace sluice {

namespace {

std::optional<std::uint32_t> delay_from_abi(std::int64_t delay_seconds) {
  if (delay_seconds < 0)
    return std::nullopt;
  return static_cast<std::uint32_t>(
      std::min<std::int64_t>(delay_seconds, static_cast<std::int64_t>(max_retry_delay_seconds)));
}

// The callbacks of sluice_host_api_v1. They run on plugin threads and must not throw
// across the C boundary; recording never allocates after the recorder is built.
void abi_ack(sluice_host_batch* host, std::size_t index) noexcept {
  if (host != nullptr)
    host->recorder.ack(index);
}

void abi_retry(sluice_host_batch* host, std::size_t index, std::int64_t delay_seconds) noexcept {
  if (host != nullptr)
    host->recorder.retry(index, delay_from_abi(delay_seconds));
}

void abi_ack_all(sluice_host_batch* host) noexcept {
  if (host != nullptr)
    host->recorder.ack_all();
}

void abi_retry_all(sluice_host_batch* host, std::int64_t delay_seconds) noexcept {
  if (host != nullptr)
    host->recorder.retry_all(delay_from_abi(delay_seconds));
}

int abi_env_get(sluice_host_batch* host, const char* name, std::size_t name_len, const char** value,
                std::size_t* value_len) noexcept {
  if (host == nullptr || name == nullptr || value == nullptr || value_len == nullptr)
    return 0;
  std::string_view key(name, name_len);
  auto it = std::lower_bound(host->env.begin(), host->env.end(), key,
                             [](const auto& entry, std::string_view k) { return entry.first < k; });
  if (it == host->env.end() || it->first != key)
    return 0;
  *value = it->second.data();
  *value_len = it->second.size();
  return 1;
}

std::size_t abi_env_count(sluice_host_batch* host) noexcept {
  return host == nullptr ? 0 : host->env.size();
}

int abi_env_at(sluice_host_batch* host, std::size_t index, const char** name, std::size_t* name_len,
               const char** value, std::size_t* value_len) noexcept {
  if (host == nullptr || index >= host->env.size() || name == nullptr || name_len == nullptr
      || value == nullptr || value_len == nullptr)
    return 0;
  const auto& entry = host->env[index];
  *name = entry.first.data();
  *name_len = entry.first.size();
  *value = entry.second.data();
  *value_len = entry.second.size();
  return 1;
}

void abi_fail(sluice_host_batch* host, const char* what, std::size_t what_len) noexcept {
  if (host == nullptr)
    return;
  std::lock_guard<std::mutex> lock(host->error_mutex);
  try {
    host->error.assign(what == nullptr ? "" : what, what == nullptr ? 0 : what_len);
  } catch (...) {
    // Out of memory while copying the plugin's text: keep the failure, lose the text.
    host->error.clear();
  }
}

const sluice_host_api_v1 host_api = {abi_ack,     abi_retry,     abi_ack_all, abi_retry_all,
                                     abi_env_get, abi_env_count, abi_env_at,  abi_fail};

} // namespace

bool valid_plugin_name(const std::string& name) {
  if (name.empty() || name.size() > 64)
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
           || c == '-';
  });
}

namespace detail {

enum class job_state { queued, running, done, timed_out };

/// One invocation on its way through the host. Shared by the pool thread running it and
/// the watchdog; addresses inside stay fixed (the plugin holds pointers into it).
struct job {
  job(std::string name, invocation i, invocation_done d)
    : plugin(std::move(name)), inv(std::move(i)), done(std::move(d)), host(inv.messages.size()) {
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
};

using job_ptr = std::shared_ptr<job>;
using steady = std::chrono::steady_clock;

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

struct loaded_plugin {
  const sluice_plugin_v1* table = nullptr;
};

struct plugin_host_core {
  explicit plugin_host_core(plugin_host_config c) : config(std::move(c)) {
    config.threads = std::max<std::size_t>(config.threads, 1);
    if (config.default_limit.count() <= 0)
      config.default_limit = plugin_host_config{}.default_limit;
    current.resize(config.threads);
  }

  /// Finds or loads plugin `name`; nullptr and `error` set on failure. Pool threads only.
  const loaded_plugin* resolve(const std::string& name, std::string& error);
  void worker_loop(std::size_t slot);
  void run(const job_ptr& j);
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

  std::mutex load_mutex;
  std::map<std::string, loaded_plugin> loaded; // never unloaded

  // Watchdog: deadlines of running handlers.
  std::mutex timer_mutex;
  std::condition_variable timer_cv;
  std::map<std::pair<steady::time_point, std::uint64_t>, job_ptr> timers;
  std::uint64_t next_timer = 0;
  bool timer_stopping = false;
  std::thread watchdog;
};

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
    const sluice_plugin_v1* table = checked_table(name, "built-in", builtin->second, error);
    if (table == nullptr)
      return nullptr;
    return &loaded.emplace(name, loaded_plugin{table}).first->second;
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
  return &loaded.emplace(name, loaded_plugin{table}).first->second;
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

  auto limit = limit_of(*j);
  std::pair<steady::time_point, std::uint64_t> timer_key;
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
  {
    std::lock_guard<std::mutex> lock(timer_mutex);
    timer_key = {steady::now() + limit, next_timer++};
    timers.emplace(timer_key, j);
  }
  timer_cv.notify_all();

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
    timers.erase(timer_key);
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
  if (status == SLUICE_HANDLER_OK) {
    deliver(*j, false, {});
  } else {
    std::string what;
    {
      std::lock_guard<std::mutex> lock(j->host.error_mutex);
      what = j->host.error;
    }
    if (what.empty())
      what = "plugin reported failure without a message";
    deliver(*j, true, "exception: " + what);
  }
  leave_active();
}

void plugin_host_core::abandon(const job_ptr& j, const std::string& error) {
  {
    std::lock_guard<std::mutex> lock(j->state_mutex);
    if (j->state != job_state::running)
      return;
    j->state = job_state::timed_out;
    ++abandoned;
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
  }
  c.work_cv.notify_all();
  for (auto& j : pending)
    detail::deliver(*j, true, "plugin host stopped");
  std::vector<detail::job_ptr> running;
  {
    // Running handlers return, time out (the watchdog still runs) or use up the grace.
    std::unique_lock<std::mutex> lock(c.mutex);
    if (!c.idle_cv.wait_for(lock, c.config.shutdown_grace, [&] { return c.active == 0; }))
      for (const auto& j : c.current)
        if (j)
          running.push_back(j);
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
  bool stopped = false;
  {
    std::lock_guard<std::mutex> lock(core_->mutex);
    stopped = core_->stopping;
    if (!stopped && core_->config.inline_run)
      ++core_->active; // run() leaves it
    else if (!stopped)
      core_->queue.push_back(j);
  }
  if (stopped)
    detail::deliver(*j, true, "plugin host stopped");
  else if (core_->config.inline_run)
    core_->run(j);
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

const plugin_host_config& plugin_host::config() const {
  return core_->config;
}

} // namespace sluice
