#pragma once

#include <string>
#include <string_view>

#include "actors/messages.hpp"
#include "storage/records.hpp"

/// The bounds of docs/api.md for queues, as pure functions the hub calls and unit
/// tests drive directly. Each returns an empty string when the input is valid,
/// else a message naming the field and the allowed range.

namespace sluice {

inline constexpr int64_t max_delivery_delay_s = 86400;
inline constexpr int64_t min_retention_s = 60;
inline constexpr int64_t max_retention_s = 1209600;
/// Longest `dedup_window_seconds` (12 h, as the issue sets it).
inline constexpr int64_t max_dedup_window_s = 43200;
inline constexpr size_t max_queue_name_length = 63;
inline constexpr size_t max_queues_per_account = 10000;

/// 1–63 chars of `[a-z0-9-]`, starting and ending alphanumeric.
std::string check_queue_name(std::string_view name);

/// The jurisdictions a queue may name (Cloudflare's: the SDK's `Queue.jurisdiction`,
/// wrangler's `queues create --jurisdiction`).
inline constexpr std::string_view jurisdictions[] = {"eu", "us", "fedramp"};

/// "jurisdiction must be one of eu, us, fedramp (or left out)".
std::string jurisdiction_rule();

/// One of `jurisdictions`.
std::string check_jurisdiction(std::string_view jurisdiction);

/// Applies `patch` to `settings`. With `replace`, fields absent from `patch`
/// are reset to their defaults first (PUT semantics), except
/// `delivery_paused` and `mode`, which only change when `patch` names them
/// (a mode other than "single" or "multi" is an error naming
/// settings.consumer_mode). On error `settings` is left unchanged.
std::string apply_settings(const settings_patch& patch, bool replace,
                           storage::queue_settings& settings);

} // namespace sluice
