#pragma once

#include <string>
#include <string_view>

/// logfmt (`key=value key2="a value"`), the line format Loki's `| logfmt`
/// and most log shippers parse. Pure functions; any thread.

namespace sluice {

/// `value` ready to follow `key=`: as it is when it is non-empty and holds no
/// space, `"`, `=`, `\` or control character; otherwise as a JSON string
/// (double quotes; `"`, `\` and control characters escaped).
std::string logfmt_value(std::string_view value);

/// `key` usable as a logfmt key: characters other than `[A-Za-z0-9_.-]`
/// become `_` ("_" for an empty key).
std::string logfmt_key(std::string_view key);

} // namespace sluice
