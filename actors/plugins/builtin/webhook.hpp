#pragma once

#include <sluice/plugin.hpp>

#include "actors/plugins/builtin/env_number.hpp"

namespace sluice::builtin {

/// The built-in `webhook` plugin (docs/plugins.md, docs/plugins.md "Built-in plugins"): POSTs
/// each batch as JSON to `env.URL` (http:// only) and waits up to `env.TIMEOUT_MS`
/// (default 30000) for the reply. A 2xx reply returns normally (every message acked
/// unless the reply's `acks`/`retries`/`ack_all`/`retry_all` say otherwise); anything
/// else — another status, a connection error, the time-out, a bad URL or a garbled
/// reply — throws, so every message is retried.
///
/// Stateless: each invocation opens its own connection (no pooling), so concurrent
/// invocations share nothing.
/// `env.TIMEOUT_MS`: how long to wait for the reply (at most 24 h).
inline constexpr number_variable webhook_timeout_ms{"TIMEOUT_MS", 30000, 24ull * 3600 * 1000};

class webhook_plugin {
public:
  void queue(MessageBatch& batch, Env& env);
};

} // namespace sluice::builtin
