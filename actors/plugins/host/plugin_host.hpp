#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <sluice/plugin.hpp>

#include "actors/plugins/host/plugin_outcome.hpp"

/// The plugin host (docs/plugins.md): loads consumer plugins (sluice/plugin.hpp, ABI v1) from
/// one directory and runs invocations with a wall-clock limit, turning exceptions and
/// time-outs into a failed outcome. No CAF: the consumer shard calls `invoke` and gets the
/// result through a callback. See docs/plugins.md.
///
/// Two paths: a blocking plugin (`queue`) runs on the bounded thread pool, which holds a
/// thread for the whole handler; an asynchronous plugin (`sluice_plugin_async_entry`, e.g.
/// the built-in webhook) is started by one starter thread and completes on a thread of its
/// own choosing, so waiting holds no host thread. The pool bounds only blocking plugins;
/// `max_async` bounds asynchronous invocations waiting at once (FIFO beyond it).
///
/// Plugin files: plugin "<name>" is `<dir>/<name>.so`, else `<dir>/lib<name>.so` (CMake's
/// default for MODULE libraries). Names are 1–64 of [A-Za-z0-9_-]. A plugin is dlopen'ed
/// (RTLD_NOW | RTLD_LOCAL) on its first invocation, on a pool thread, and stays loaded for
/// the life of the process (never dlclose'd: an abandoned invocation may still run its
/// code). Failed loads are not cached, so a plugin added to the directory later is found.
///
/// Built-in plugins: entry functions compiled into the executable
/// (`plugin_host_config::builtins`) are resolved before the directory, so a built-in wins
/// over a same-named file, and go through the same ABI checks as a loaded library.

namespace sluice {

namespace detail {
struct plugin_host_core;
} // namespace detail

/// One message as the plugin sees it.
struct plugin_message {
  std::string id;
  std::int64_t timestamp_ms = 0; ///< ms since the Unix epoch
  std::string body;              ///< raw bytes, not base64
  std::string content_type;      ///< "json", "text" or "bytes"
  std::uint32_t attempts = 1;    ///< deliveries including this one
};

/// One batch to run through a plugin.
struct invocation {
  std::string queue_name;
  std::vector<plugin_message> messages;
  std::map<std::string, std::string> env; ///< the script's variables
  /// Wall-clock limit of the handler, counted from the moment a pool thread starts it
  /// (time waiting for a free thread does not count). Zero: the host's default_limit.
  std::chrono::milliseconds limit{0};
};

/// What came of an invocation.
struct invocation_result {
  /// One decision per message, in batch order (plugin_outcome.hpp rules).
  std::vector<message_decision> decisions;
  /// The handler threw, timed out, or could not be loaded: a failure for the concurrency
  /// controller. Explicit retries alone are not failures.
  bool failed = false;
  /// Why, when `failed`: "exception: <what>", "timeout after <n> ms", "plugin 'x' not
  /// found in <dir> …", an ABI mismatch, "plugin host stopped". Empty otherwise.
  std::string error;
};

/// Checks a script's variables when it is deployed (docs/plugins.md): empty when
/// they are fine, else a message naming the variable. `all_accounts`: the deployer's
/// token is for every account (an operator), not for one.
using deploy_check = std::function<std::string(
    const std::vector<std::pair<std::string, std::string>>& env, bool all_accounts)>;

/// A plugin compiled into the executable: its `sluice_plugin_entry` (e.g.
/// `sluice::detail::entry<...>`) and, for an asynchronous plugin, its
/// `sluice_plugin_async_entry` (nullptr: blocking only). Converts from a bare entry.
struct builtin_plugin {
  builtin_plugin(sluice_plugin_entry_fn e = nullptr, sluice_plugin_async_entry_fn a = nullptr)
    : entry(e), async_entry(a) {}
  sluice_plugin_entry_fn entry;
  sluice_plugin_async_entry_fn async_entry;
};

/// Settings of a plugin host.
struct plugin_host_config {
  std::string dir; ///< the plugin directory (`--plugin-dir`)
  /// Plugins compiled into the executable, by name (see builtin_plugin). Looked up before
  /// the directory: a built-in wins over `<dir>/<name>.so`. Names must be valid plugin names.
  std::map<std::string, builtin_plugin> builtins;
  /// Deploy-time checks of scripts, by plugin name (the built-ins have them).
  std::map<std::string, deploy_check> deploy_checks;
  std::size_t threads = 8; ///< pool size (blocking plugins only); 0 is taken as 1
  /// Asynchronous invocations started and not yet completed by their plugin, over all
  /// queues (each holds e.g. one connection); later ones wait in FIFO order, so no queue
  /// starves. Timed-out ones count until their plugin completes them. 0 is taken as 1.
  std::size_t max_async = 1024;
  /// Handler limit for invocations that give none (0 or less: 15 min).
  std::chrono::milliseconds default_limit = std::chrono::minutes(15);
  /// How long destruction waits for running handlers before failing and abandoning them.
  std::chrono::milliseconds shutdown_grace = std::chrono::seconds(30);
  /// Tests only: no pool and no watchdog; `invoke` runs the handler on the calling
  /// thread and calls `done` there before it returns (the wall-clock limit is not
  /// enforced). Lets actor tests on CAF's deterministic scheduler run real plugins. An
  /// asynchronous plugin is started there too and completes wherever it completes.
  bool inline_run = false;
};

/// Completion of an invocation. Runs exactly once per invocation on a host thread (a pool
/// thread, the time-out watchdog, or the thread stopping the host) or, for an
/// asynchronous plugin, on the thread that completes it (the webhook's I/O thread); on
/// the thread calling `invoke` only after `shutdown` or with `inline_run`. Keep it short (post to
/// an actor); it must not throw (it is called from noexcept code) and must not destroy the host.
using invocation_done = std::function<void(invocation_result)>;

/// Loads and runs consumer plugins. Thread-safe: `invoke`, `available` and `abandoned`
/// may be called from any thread, e.g. several consumer shards at once.
///
/// Time-outs: when an invocation passes its limit, `done` fires at once with the failed
/// outcome (every message not explicitly acked is retried). The plugin's thread cannot
/// be stopped: it is abandoned, its later calls are ignored, and it keeps its pool slot
/// until the handler returns. A handler that never returns holds its slot for good; with
/// every slot held, later invocations wait in the queue (`abandoned()` tells how many
/// slots are held that way). The queue of waiting invocations is not bounded here: the
/// consumers' max_concurrency bounds it. A timed-out asynchronous invocation holds no
/// thread; its batch is freed when the plugin completes it (never, if it never does).
class plugin_host {
public:
  /// Starts the pool and the watchdog. Does not touch the directory yet.
  explicit plugin_host(plugin_host_config config);

  /// Stops the host: invocations still queued complete with failed "plugin host
  /// stopped" (on this thread); running ones are waited for up to `shutdown_grace` (or
  /// their limit, if sooner), then fail with "plugin host stopped while the handler ran"
  /// and are abandoned like timed-out ones: their threads are detached and finish on
  /// their own, their late calls ignored.
  ~plugin_host();

  /// What destruction does, earlier (idempotent): the server calls it at shutdown while
  /// consumer shards may still hold the host. Afterwards `invoke` fails at once with
  /// "plugin host stopped".
  void shutdown();

  plugin_host(const plugin_host&) = delete;
  plugin_host& operator=(const plugin_host&) = delete;

  /// Queues `inv` for plugin `plugin` (a built-in, else a file of the directory); returns
  /// at once. `done` gets the result. Loading
  /// errors (invalid name, not found, dlopen failure, ABI mismatch) arrive through
  /// `done` as failed results that retry every message.
  void invoke(const std::string& plugin, invocation inv, invocation_done done);

  /// The names of the built-ins and of the plugins in the directory (files `<name>.so` /
  /// `lib<name>.so` with a valid name), sorted, without duplicates. Does not load them.
  /// Only the built-ins when the directory does not exist.
  std::vector<std::string> available() const;

  /// What `deploy_checks` says of a script for `plugin` with `env`; empty when the
  /// plugin has no check.
  std::string check_deploy(const std::string& plugin,
                           const std::vector<std::pair<std::string, std::string>>& env,
                           bool all_accounts) const;

  /// The number of timed-out handlers still running (each holds a pool thread).
  std::size_t abandoned() const;

  /// Asynchronous invocations started and not yet completed by their plugin.
  std::size_t async_in_flight() const;

  /// The settings in force (threads at least 1).
  const plugin_host_config& config() const;

private:
  // Shared with the pool threads, so a detached (abandoned) thread never outlives it.
  std::shared_ptr<detail::plugin_host_core> core_;
};

/// True for a valid plugin name: 1–64 of [A-Za-z0-9_-].
bool valid_plugin_name(const std::string& name);

} // namespace sluice
