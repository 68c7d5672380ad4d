#pragma once

#include <sluice/plugin.hpp>

namespace sluice::builtin {

/// The built-in `file-sink` plugin (docs/plugins.md, docs/plugins.md "Built-in plugins"): appends
/// each message as one NDJSON line
/// `{"queue", "id", "timestamp_ms", "attempts", "content_type", "body"}` to the queue's
/// current file under `env.DIR` (created if missing), rotating by `env.MAX_BYTES`
/// (default 64 MiB) and `env.MAX_SECONDS` (default 3600), and returns only once the
/// lines are on disk. Any error throws, so the batch is retried. File handling and
/// locking live in ndjson_directory.
class file_sink_plugin {
public:
  void queue(MessageBatch& batch, Env& env);
};

} // namespace sluice::builtin
