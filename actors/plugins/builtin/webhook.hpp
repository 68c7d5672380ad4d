#pragma once

#include <memory>

#include <sluice/plugin.hpp>

#include "actors/plugins/builtin/env_number.hpp"

namespace sluice::builtin {

/// The built-in `webhook` plugin (docs/plugins.md "Built-in plugins"): POSTs each batch as
/// JSON to `env.URL` (http:// only) and waits up to `env.TIMEOUT_MS` (default 30000) for
/// the reply. A 2xx reply returns normally (every message acked unless the reply's
/// `decisions`/`acks`/`retries`/`ack_all`/`retry_all` say otherwise); anything else —
/// another status, a connection error, the time-out, a bad URL or a garbled reply — fails,
/// so every message not decided is retried.
///
/// Asynchronous (`SLUICE_PLUGIN_ASYNC` shape): `queue_async` checks the settings and
/// renders the request on the host's starter thread, then the POST waits on
/// `http::async_poster::shared()` (one I/O thread for all webhooks), which completes the
/// invocation; no plugin-pool thread is held while the receiver thinks. Each invocation
/// opens its own connection (no pooling), so concurrent invocations share nothing.
/// `env.TIMEOUT_MS`: how long to wait for the reply (at most 24 h).
inline constexpr number_variable webhook_timeout_ms{"TIMEOUT_MS", 30000, 24ull * 3600 * 1000};

class webhook_plugin {
public:
  /// Starts the POST of `invocation`'s batch; the reply (or the failure) completes it.
  /// Throws (a failed invocation) on bad settings, before anything is sent.
  void queue_async(std::shared_ptr<AsyncInvocation> invocation);
};

} // namespace sluice::builtin
