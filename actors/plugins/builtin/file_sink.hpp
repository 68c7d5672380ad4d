#pragma once

#include <sluice/plugin.hpp>

#include "actors/plugins/builtin/env_number.hpp"

namespace sluice::builtin {

/// The built-in `file-sink` plugin (docs/plugins.md, docs/plugins.md "Built-in plugins"): appends
/// each message as one NDJSON line
/// `{"queue", "id", "timestamp_ms", "attempts", "content_type", "body"}` to the queue's
/// current file under `env.DIR` (created if missing), rotating by `env.MAX_BYTES`
/// (default 64 MiB) and `env.MAX_SECONDS` (default 3600), and returns only once the
/// lines are on disk. Any error throws, so the batch is retried. File handling and
/// locking live in ndjson_directory.
/// `env.MAX_BYTES`: a file's size before the next one starts (anything above 1 TiB is
/// a typo).
inline constexpr number_variable file_sink_max_bytes{"MAX_BYTES", 64ull << 20, 1ull << 40};
/// `env.MAX_SECONDS`: a file's age before the next one starts (at most ten years).
inline constexpr number_variable file_sink_max_seconds{"MAX_SECONDS", 3600,
                                                       10ull * 365 * 24 * 3600};

class file_sink_plugin {
public:
  void queue(MessageBatch& batch, Env& env);
};

} // namespace sluice::builtin
