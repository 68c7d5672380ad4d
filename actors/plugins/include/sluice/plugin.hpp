#pragma once

/// Sluice consumer plugin ABI, version 1 (docs/plugins.md, docs/plugins.md).
///
/// A plugin is a shared library that the hub loads with dlopen. Write it as
///
///     #include <sluice/plugin.hpp>
///
///     class my_plugin {
///     public:
///       void queue(sluice::MessageBatch& batch, sluice::Env& env) {
///         for (const auto& m : batch.messages())
///           if (m.body() == "later")
///             m.retry({60});
///       } // every message not retried is acked on a normal return
///     };
///
///     SLUICE_PLUGIN(my_plugin)
///
/// and build it as a shared library named `<name>.so` (or `lib<name>.so`) in the hub's
/// plugin directory; a script then names the plugin as "<name>".
///
/// Two layers live in this header:
/// - The C boundary (valid C99 as well as C++): the library exports
///   `sluice_plugin_entry`, which returns a table of C function pointers; the hub talks to
///   the batch only through opaque handles and the callbacks of `sluice_host_api_v1`. No
///   C++ type, allocation or exception ever crosses it, so a plugin built by another
///   compiler or standard library still loads.
/// - The C++17 convenience layer (`sluice::Message`, `sluice::MessageBatch`, `sluice::Env`,
///   `SLUICE_PLUGIN`, `SLUICE_PLUGIN_EXPORT`), header-only and compiled into the plugin.
///   The generated entry catches every exception and reports it as a failed invocation
///   with its what() text.
///
/// Versioning: any incompatible change to the structures below makes a new ABI version
/// with new `_vN` structures; v1 is never changed. The first member of every plugin table
/// version is `uint32_t abi_version`, so a hub can always read it and refuse a mismatch.

#include <stddef.h>
#include <stdint.h>

/// The ABI version this header describes.
#define SLUICE_PLUGIN_ABI_VERSION 1u

/// The name of the symbol every plugin exports (see `sluice_plugin_entry`).
#define SLUICE_PLUGIN_ENTRY_SYMBOL "sluice_plugin_entry"

/// Retry delay meaning "not given": the consumer's `retry_delay` applies.
#define SLUICE_RETRY_DELAY_UNSET (-1)

/// The largest retry delay in seconds (docs/api.md); the hub clamps larger values to it.
#define SLUICE_MAX_RETRY_DELAY_SECONDS 86400

/// Return values of `sluice_plugin_v1::queue`.
#define SLUICE_HANDLER_OK 0
#define SLUICE_HANDLER_FAILED 1

#if defined(__GNUC__) || defined(__clang__)
/// Marks the entry point as exported even under -fvisibility=hidden.
#define SLUICE_PLUGIN_API __attribute__((visibility("default")))
#else
#define SLUICE_PLUGIN_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/// The hub's state for one invocation. Opaque to plugins; pass it back to the callbacks.
typedef struct sluice_host_batch sluice_host_batch;

/// One delivered message. Every pointer is owned by the hub, valid until `queue` returns
/// (after `queue_async`: until `complete`),
/// and points at `*_len` bytes followed by a NUL (bodies may contain NULs themselves).
typedef struct sluice_message_v1 {
  const char* id; ///< The message id (32 hex digits).
  size_t id_len;
  int64_t timestamp_ms; ///< When the message was sent, ms since the Unix epoch.
  const char* body;     ///< The body bytes exactly as sent (not base64).
  size_t body_len;
  const char* content_type; ///< "json", "text" or "bytes".
  size_t content_type_len;
  uint32_t attempts; ///< Deliveries so far including this one (1 on the first).
} sluice_message_v1;

/// Callbacks into the hub. Each takes the batch's `host` handle, may be called from any
/// thread (including threads the plugin starts) until `queue` returns (after
/// `queue_async`: until `complete`), never throws and
/// never blocks for long. Calls after the invocation ended (returned or timed out) are
/// ignored. Out-of-range indexes are ignored.
typedef struct sluice_host_api_v1 {
  /// Acks message `index`. The first call on a message wins.
  void (*ack)(sluice_host_batch* host, size_t index);
  /// Retries message `index` after `delay_seconds` (SLUICE_RETRY_DELAY_UNSET or any
  /// negative value: the consumer's retry_delay). The first call on a message wins.
  void (*retry)(sluice_host_batch* host, size_t index, int64_t delay_seconds);
  /// Acks every message without a per-message call. The first batch-level call wins.
  void (*ack_all)(sluice_host_batch* host);
  /// Retries every message without a per-message call. The first batch-level call wins.
  void (*retry_all)(sluice_host_batch* host, int64_t delay_seconds);
  /// Looks up the script variable `name`. Returns 1 and sets `*value`/`*value_len` (valid
  /// until `queue` returns, NUL-terminated) when it exists, else returns 0.
  int (*env_get)(sluice_host_batch* host, const char* name, size_t name_len, const char** value,
                 size_t* value_len);
  /// The number of script variables.
  size_t (*env_count)(sluice_host_batch* host);
  /// The `index`-th variable in name order: returns 1 and sets the four outputs, or 0 when
  /// `index` is out of range.
  int (*env_at)(sluice_host_batch* host, size_t index, const char** name, size_t* name_len,
                const char** value, size_t* value_len);
  /// Records why the invocation failed; call it before returning SLUICE_HANDLER_FAILED.
  /// The hub copies the text. The last call wins.
  void (*fail)(sluice_host_batch* host, const char* what, size_t what_len);
} sluice_host_api_v1;

/// One invocation: the batch of one queue. Owned by the hub, valid until `queue` returns
/// (after `queue_async`: until `complete`).
typedef struct sluice_batch_v1 {
  const char* queue_name; ///< NUL-terminated as well.
  size_t queue_name_len;
  const sluice_message_v1* messages; ///< `message_count` messages (at least one).
  size_t message_count;
  sluice_host_batch* host; ///< Pass to every `api` callback.
  const sluice_host_api_v1* api;
} sluice_batch_v1;

/// The table a plugin hands to the hub. It must stay valid while the library is loaded
/// (the hub never unloads plugins).
typedef struct sluice_plugin_v1 {
  /// SLUICE_PLUGIN_ABI_VERSION of the header the plugin was built with. Always first.
  uint32_t abi_version;
  /// Runs the handler on one batch; returns SLUICE_HANDLER_OK for a normal return and
  /// SLUICE_HANDLER_FAILED for a failure (after calling `batch->api->fail`). Called from
  /// the hub's plugin pool, possibly on several threads at once. It may block, but the
  /// hub stops waiting after the invocation's wall-clock limit (then it counts as failed).
  int (*queue)(const sluice_batch_v1* batch);
} sluice_plugin_v1;

/// The one symbol a plugin exports. The hub calls it once, after dlopen, with its own ABI
/// version. A plugin returns a table whose `abi_version` the hub speaks, or NULL if it
/// cannot serve a hub of that version; the hub then refuses the plugin with a clear
/// error. `SLUICE_PLUGIN`/`SLUICE_PLUGIN_EXPORT` define it for C++ plugins.
SLUICE_PLUGIN_API const sluice_plugin_v1* sluice_plugin_entry(uint32_t host_abi_version);

/// The type of `sluice_plugin_entry`, for dlsym.
typedef const sluice_plugin_v1* (*sluice_plugin_entry_fn)(uint32_t host_abi_version);

/* ---- Optional asynchronous entry (an addition to version 1; docs/plugins.md) ----------
 * A plugin that waits on something (a network reply) may also export
 * `sluice_plugin_async_entry`. The hub then starts each invocation with `queue_async`,
 * which returns at once, and the plugin ends it later with `complete`, from any thread:
 * no hub thread is held while it waits. A plugin without it, or a hub that does not look
 * for it, uses `sluice_plugin_v1::queue` as before, so the v1 structures are unchanged. */

/// The name of the optional asynchronous entry symbol.
#define SLUICE_PLUGIN_ASYNC_ENTRY_SYMBOL "sluice_plugin_async_entry"

/// How an asynchronous invocation ends.
typedef struct sluice_async_api_v1 {
  /// Ends the invocation with SLUICE_HANDLER_OK (a normal return) or
  /// SLUICE_HANDLER_FAILED (after `api->fail`). Call it exactly once per invocation, from
  /// any thread, possibly before `queue_async` returns; the batch, its messages and the
  /// env stay valid until this call and are freed by it, so nothing of the batch may be
  /// touched afterwards. Decisions (`ack`, `retry`...) must be made before it. Never
  /// blocks for long.
  void (*complete)(sluice_host_batch* host, int status);
} sluice_async_api_v1;

/// The asynchronous table.
typedef struct sluice_plugin_async_v1 {
  /// SLUICE_PLUGIN_ABI_VERSION of the header the plugin was built with. Always first.
  uint32_t abi_version;
  /// Starts the handler on one batch and returns without waiting; `async_api->complete`
  /// ends it. Called from a hub thread that starts every asynchronous invocation, so it
  /// must not block. The hub's wall-clock limit still applies: past it the invocation
  /// counts as failed and the later `complete` only frees the batch.
  void (*queue_async)(const sluice_batch_v1* batch, const sluice_async_api_v1* async_api);
} sluice_plugin_async_v1;

/// The optional second symbol: the asynchronous table for a hub of `host_abi_version`,
/// or NULL (then the hub uses `queue`). A plugin exporting it exports
/// `sluice_plugin_entry` as well. `SLUICE_PLUGIN_ASYNC` defines both for C++ plugins.
SLUICE_PLUGIN_API const sluice_plugin_async_v1*
sluice_plugin_async_entry(uint32_t host_abi_version);

/// The type of `sluice_plugin_async_entry`, for dlsym.
typedef const sluice_plugin_async_v1* (*sluice_plugin_async_entry_fn)(uint32_t host_abi_version);

#ifdef __cplusplus
} // extern "C"

#if __cplusplus < 201703L
#error "the sluice C++ plugin layer needs C++17; C plugins may use the C declarations alone"
#endif

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

/// Options of `Message::retry` and `MessageBatch::retry_all`, as in Cloudflare's
/// `retry({delaySeconds})`. Without `delay_seconds` the consumer's retry_delay applies;
/// values above 86400 are clamped to 86400.
struct RetryOptions {
  std::optional<std::uint32_t> delay_seconds;
};

/// One message of a batch. A cheap view: copies refer to the same message. Valid only
/// until `queue` returns; its methods may be called from any thread until then.
class Message {
public:
  Message(const sluice_batch_v1& batch, std::size_t index) : batch_(&batch), index_(index) {}

  /// The message id (32 hex digits).
  std::string_view id() const { return {raw().id, raw().id_len}; }
  /// When the message was sent, ms since the Unix epoch.
  std::int64_t timestamp_ms() const { return raw().timestamp_ms; }
  /// The body bytes exactly as sent: JSON text, UTF-8 text or raw bytes.
  std::string_view body() const { return {raw().body, raw().body_len}; }
  /// "json", "text" or "bytes".
  std::string_view content_type() const { return {raw().content_type, raw().content_type_len}; }
  /// Deliveries so far including this one (1 on the first delivery).
  std::uint32_t attempts() const { return raw().attempts; }

  /// Acks the message. The first call on a message wins, and a per-message call beats
  /// `ack_all`/`retry_all` whatever the order.
  void ack() const { batch_->api->ack(batch_->host, index_); }
  /// Retries the message (redelivered after the delay, attempts + 1). Same precedence as
  /// `ack`.
  void retry(RetryOptions options = {}) const {
    batch_->api->retry(batch_->host, index_,
                       options.delay_seconds ? static_cast<std::int64_t>(*options.delay_seconds)
                                             : SLUICE_RETRY_DELAY_UNSET);
  }

private:
  const sluice_message_v1& raw() const { return batch_->messages[index_]; }

  const sluice_batch_v1* batch_;
  std::size_t index_;
};

/// The batch handed to `queue`. Valid only until `queue` returns.
class MessageBatch {
public:
  explicit MessageBatch(const sluice_batch_v1& batch) : batch_(&batch) {
    messages_.reserve(batch.message_count);
    for (std::size_t i = 0; i < batch.message_count; ++i)
      messages_.emplace_back(batch, i);
  }

  /// The name of the queue the messages come from.
  std::string_view queue_name() const { return {batch_->queue_name, batch_->queue_name_len}; }
  /// The messages, in delivery order.
  const std::vector<Message>& messages() const { return messages_; }
  /// Acks every message that has no per-message call (now or later). The first
  /// batch-level call wins.
  void ack_all() const { batch_->api->ack_all(batch_->host); }
  /// Retries every message that has no per-message call (now or later). The first
  /// batch-level call wins.
  void retry_all(RetryOptions options = {}) const {
    batch_->api->retry_all(batch_->host, options.delay_seconds
                                             ? static_cast<std::int64_t>(*options.delay_seconds)
                                             : SLUICE_RETRY_DELAY_UNSET);
  }

private:
  const sluice_batch_v1* batch_;
  std::vector<Message> messages_;
};

/// The script's configured variables (the `env` of `PUT .../sluice/scripts/{name}`).
/// Valid only until `queue` returns.
class Env {
public:
  explicit Env(const sluice_batch_v1& batch) : batch_(&batch) {}

  /// The variable `name`, or nullopt when the script does not set it.
  std::optional<std::string> get(std::string_view name) const {
    const char* value = nullptr;
    std::size_t len = 0;
    if (batch_->api->env_get(batch_->host, name.data(), name.size(), &value, &len) == 0)
      return std::nullopt;
    return std::string(value, len);
  }
  /// The variable `name`, or `fallback` when the script does not set it.
  std::string get_or(std::string_view name, std::string_view fallback) const {
    auto v = get(name);
    return v ? std::move(*v) : std::string(fallback);
  }
  /// Every variable as (name, value), in name order.
  std::vector<std::pair<std::string, std::string>> all() const {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t n = batch_->api->env_count(batch_->host);
    for (std::size_t i = 0; i < n; ++i) {
      const char* name = nullptr;
      const char* value = nullptr;
      std::size_t name_len = 0;
      std::size_t value_len = 0;
      if (batch_->api->env_at(batch_->host, i, &name, &name_len, &value, &value_len) != 0)
        out.emplace_back(std::string(name, name_len), std::string(value, value_len));
    }
    return out;
  }

private:
  const sluice_batch_v1* batch_;
};

/// One asynchronous invocation (`SLUICE_PLUGIN_ASYNC`): the batch and the script's
/// variables, valid until it is completed. The plugin holds it by `std::shared_ptr` while
/// its work runs and ends it with `succeed()` (a normal return) or `fail(what)` (a throw),
/// from any thread; the first of them counts, later ones are ignored. Decide on messages
/// before completing: afterwards `batch()` and `env()` must not be used. If the last
/// `shared_ptr` goes away without either, the invocation fails with "the plugin dropped
/// the invocation without completing it", so a lost callback never leaks a batch.
class AsyncInvocation {
public:
  /// `finish(status)` ends the invocation at the C boundary; called at most once.
  AsyncInvocation(const sluice_batch_v1& raw, std::function<void(int)> finish)
    : raw_(&raw), batch_(raw), env_(raw), finish_(std::move(finish)) {}
  ~AsyncInvocation() { fail("the plugin dropped the invocation without completing it"); }
  AsyncInvocation(const AsyncInvocation&) = delete;
  AsyncInvocation& operator=(const AsyncInvocation&) = delete;

  /// The batch; valid until the invocation is completed.
  MessageBatch& batch() { return batch_; }
  /// The script's variables; valid until the invocation is completed.
  Env& env() { return env_; }

  /// Ends the invocation like a normal return: every message not decided is acked.
  void succeed() noexcept { end(SLUICE_HANDLER_OK, {}); }
  /// Ends the invocation like a throw with `what` as the exception's text.
  void fail(std::string_view what) noexcept { end(SLUICE_HANDLER_FAILED, what); }

private:
  void end(int status, std::string_view what) noexcept {
    if (ended_.exchange(true))
      return;
    if (status != SLUICE_HANDLER_OK && raw_->api != nullptr && raw_->api->fail != nullptr)
      raw_->api->fail(raw_->host, what.data(), what.size());
    finish_(status);
  }

  const sluice_batch_v1* raw_;
  MessageBatch batch_;
  Env env_;
  std::function<void(int)> finish_;
  std::atomic<bool> ended_{false};
};

namespace detail {

/// Reports a failure through the table; never throws.
inline void report_failure(const sluice_batch_v1* batch, const char* what) noexcept {
  if (batch != nullptr && batch->api != nullptr && batch->api->fail != nullptr)
    batch->api->fail(batch->host, what, std::strlen(what));
}

/// Runs `handler(MessageBatch&, Env&)`; turns any exception into SLUICE_HANDLER_FAILED.
template <class Handler>
int run_handler(const sluice_batch_v1* raw, Handler&& handler) noexcept {
  try {
    MessageBatch batch(*raw);
    Env env(*raw);
    handler(batch, env);
    return SLUICE_HANDLER_OK;
  } catch (const std::exception& e) {
    report_failure(raw, e.what());
  } catch (...) {
    report_failure(raw, "unknown exception (not derived from std::exception)");
  }
  return SLUICE_HANDLER_FAILED;
}

/// A fresh `Plugin` per invocation, then `Plugin::queue(batch, env)`.
template <class Plugin>
int queue_with_class(const sluice_batch_v1* raw) noexcept {
  return run_handler(raw, [](MessageBatch& batch, Env& env) {
    Plugin plugin;
    plugin.queue(batch, env);
  });
}

/// `Fn(batch, env)`.
template <void (*Fn)(MessageBatch&, Env&)>
int queue_with_function(const sluice_batch_v1* raw) noexcept {
  return run_handler(raw, Fn);
}

/// Starts `Plugin::queue_async(std::shared_ptr<AsyncInvocation>)` on a fresh `Plugin`; an
/// exception thrown from it fails the invocation (unless it was completed already).
template <class Plugin>
void start_async(std::shared_ptr<AsyncInvocation> invocation) noexcept {
  // Held until the plugin returns, so a throw after it dropped its copy still finds it.
  const std::shared_ptr<AsyncInvocation> held = invocation;
  try {
    Plugin plugin;
    plugin.queue_async(std::move(invocation));
  } catch (const std::exception& e) {
    held->fail(e.what());
  } catch (...) {
    held->fail("unknown exception (not derived from std::exception)");
  }
}

/// Calls `complete` once; builds nothing that could throw after the handler started.
inline void complete_at_boundary(const sluice_batch_v1* raw, const sluice_async_api_v1* async_api,
                                 int status) noexcept {
  if (async_api != nullptr && async_api->complete != nullptr)
    async_api->complete(raw->host, status);
}

/// `queue_async` of the asynchronous table: starts the plugin, `complete` ends it.
template <class Plugin>
void queue_async_with_class(const sluice_batch_v1* raw,
                            const sluice_async_api_v1* async_api) noexcept {
  std::shared_ptr<AsyncInvocation> invocation;
  try {
    invocation = std::make_shared<AsyncInvocation>(
        *raw, [raw, async_api](int status) { complete_at_boundary(raw, async_api, status); });
  } catch (...) {
    report_failure(raw, "out of memory starting the invocation");
    complete_at_boundary(raw, async_api, SLUICE_HANDLER_FAILED);
    return;
  }
  start_async<Plugin>(std::move(invocation));
}

/// `queue` of the v1 table of an asynchronous plugin, for a hub that does not use the
/// asynchronous entry: starts the plugin and blocks the calling thread until it completes.
template <class Plugin>
int queue_blocking_with_async_class(const sluice_batch_v1* raw) noexcept {
  struct waiting {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    int status = SLUICE_HANDLER_FAILED;
  };
  std::shared_ptr<waiting> w;
  std::shared_ptr<AsyncInvocation> invocation;
  try {
    w = std::make_shared<waiting>();
    invocation = std::make_shared<AsyncInvocation>(*raw, [w](int status) {
      std::lock_guard<std::mutex> lock(w->mutex);
      w->status = status;
      w->done = true;
      w->cv.notify_all();
    });
  } catch (...) {
    report_failure(raw, "out of memory starting the invocation");
    return SLUICE_HANDLER_FAILED;
  }
  start_async<Plugin>(std::move(invocation));
  std::unique_lock<std::mutex> lock(w->mutex);
  w->cv.wait(lock, [&] { return w->done; });
  return w->status;
}

/// The asynchronous table around `QueueAsync`, or nullptr for a hub of another version.
template <void (*QueueAsync)(const sluice_batch_v1*, const sluice_async_api_v1*) noexcept>
const sluice_plugin_async_v1* async_entry(std::uint32_t host_abi_version) noexcept {
  static const sluice_plugin_async_v1 table = {SLUICE_PLUGIN_ABI_VERSION, QueueAsync};
  return host_abi_version == SLUICE_PLUGIN_ABI_VERSION ? &table : nullptr;
}

/// The v1 table around `Queue`, or nullptr for a hub of another ABI version.
template <int (*Queue)(const sluice_batch_v1*) noexcept>
const sluice_plugin_v1* entry(std::uint32_t host_abi_version) noexcept {
  static const sluice_plugin_v1 table = {SLUICE_PLUGIN_ABI_VERSION, Queue};
  return host_abi_version == SLUICE_PLUGIN_ABI_VERSION ? &table : nullptr;
}

} // namespace detail
} // namespace sluice

/// Exports `ClassName` as this library's plugin: each invocation default-constructs a
/// `ClassName` and calls `void queue(sluice::MessageBatch&, sluice::Env&)` on it, from a
/// hub pool thread (several invocations may run at once, each with its own object; state
/// shared between invocations, e.g. statics, needs your own locking). Use once per library,
/// at namespace scope.
#define SLUICE_PLUGIN(ClassName)                                                                   \
  extern "C" SLUICE_PLUGIN_API const sluice_plugin_v1* sluice_plugin_entry(                        \
      uint32_t host_abi_version) {                                                                 \
    return ::sluice::detail::entry<&::sluice::detail::queue_with_class<ClassName>>(                \
        host_abi_version);                                                                         \
  }

/// Exports the free function `void fn(sluice::MessageBatch&, sluice::Env&)` as this
/// library's plugin. Same rules as `SLUICE_PLUGIN`.
#define SLUICE_PLUGIN_EXPORT(fn)                                                                   \
  extern "C" SLUICE_PLUGIN_API const sluice_plugin_v1* sluice_plugin_entry(                        \
      uint32_t host_abi_version) {                                                                 \
    return ::sluice::detail::entry<&::sluice::detail::queue_with_function<&fn>>(host_abi_version); \
  }

/// Exports `ClassName` as an asynchronous plugin: each invocation default-constructs a
/// `ClassName` and calls `void queue_async(std::shared_ptr<sluice::AsyncInvocation>)` on
/// it, which starts the work and returns without waiting; the work ends the invocation
/// with `succeed()` or `fail(what)` from any thread. It must not block: it runs on the
/// hub's one thread that starts asynchronous invocations. Exports both entry symbols, so
/// a hub without the asynchronous path runs it through `queue` (blocking until it
/// completes). Use once per library, at namespace scope, instead of `SLUICE_PLUGIN`.
#define SLUICE_PLUGIN_ASYNC(ClassName)                                                             \
  extern "C" SLUICE_PLUGIN_API const sluice_plugin_v1* sluice_plugin_entry(                        \
      uint32_t host_abi_version) {                                                                 \
    return ::sluice::detail::entry<&::sluice::detail::queue_blocking_with_async_class<ClassName>>( \
        host_abi_version);                                                                         \
  }                                                                                                \
  extern "C" SLUICE_PLUGIN_API const sluice_plugin_async_v1* sluice_plugin_async_entry(            \
      uint32_t host_abi_version) {                                                                 \
    return ::sluice::detail::async_entry<&::sluice::detail::queue_async_with_class<ClassName>>(    \
        host_abi_version);                                                                         \
  }

#endif // __cplusplus
