#include <algorithm>
#include <optional>

#include "actors/plugins/host/plugin_host_core.hpp"

// The callbacks of the C boundary (sluice_host_api_v1). They run on plugin threads and
// must not throw across it; recording never allocates after the recorder is built.

namespace sluice::detail {

namespace {

std::optional<std::uint32_t> delay_from_abi(std::int64_t delay_seconds) {
  if (delay_seconds < 0)
    return std::nullopt;
  return static_cast<std::uint32_t>(
      std::min<std::int64_t>(delay_seconds, static_cast<std::int64_t>(max_retry_delay_seconds)));
}

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

} // namespace

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

} // namespace sluice::detail
