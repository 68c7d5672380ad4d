#include "actors/plugins/builtin/file_sink.hpp"

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "actors/plugins/builtin/env_number.hpp"
#include "actors/plugins/builtin/message_json.hpp"
#include "actors/plugins/builtin/ndjson_directory.hpp"
#include "http/outbound_policy.hpp"

namespace sluice::builtin {

namespace {

/// One NDJSON line: the webhook's message object with the queue name in front.
std::string line_for(std::string_view queue, const Message& message) {
  http::json_writer w;
  w.begin_object().key("queue").value(queue);
  write_message_members(w, message);
  return w.end_object().take() + "\n";
}

/// DIR under the installed policy's sink root (as it is without a policy). The
/// directory is made here, and its real path checked, so that a symbolic link under
/// the root cannot lead out of it.
std::string sink_directory(const std::string& dir) {
  auto policy = http::outbound_policy::current();
  if (!policy)
    return dir;
  std::string full;
  try {
    full = policy->sink_directory(dir);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string("file-sink: env.") + e.what());
  }
  std::error_code ec;
  std::filesystem::create_directories(full, ec);
  auto real = std::filesystem::canonical(full, ec);
  auto root = std::filesystem::canonical(policy->sink_root(), ec);
  auto rel = real.lexically_relative(root);
  if (ec || rel.empty() || *rel.begin() == "..")
    throw std::runtime_error("file-sink: env.DIR '" + dir + "' leads outside the sink root "
                             + policy->sink_root() + " (through a symbolic link?)");
  return real.string();
}

} // namespace

void file_sink_plugin::queue(MessageBatch& batch, Env& env) {
  const auto dir = env.get("DIR");
  if (!dir || dir->empty())
    throw std::runtime_error("file-sink: env.DIR is not set (deploy the script with "
                             "\"env\": {\"DIR\": \"/path/to/directory\"})");
  rotation_limits limits;
  limits.max_bytes = positive_env(env, "file-sink", file_sink_max_bytes);
  limits.max_age = std::chrono::seconds(positive_env(env, "file-sink", file_sink_max_seconds));

  std::vector<std::string> lines;
  lines.reserve(batch.messages().size());
  for (const auto& message : batch.messages())
    lines.push_back(line_for(batch.queue_name(), message));
  ndjson_directory::open(sink_directory(*dir))->append(batch.queue_name(), lines, limits);
}

} // namespace sluice::builtin
