#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

/// `epoch_ms` as RFC 3339 UTC with milliseconds, e.g. "2026-11-23T10:00:00.000Z".
std::string rfc3339(int64_t epoch_ms);

/// Unix epoch milliseconds of an RFC 3339 date-time such as
/// "2026-11-23T10:00:00Z", "2026-11-23T10:00:00.123Z" or
/// "2026-11-23T11:00:00+01:00" ('T' may also be 't' or a space, 'Z' also 'z';
/// digits of a fraction past milliseconds are dropped). Nullopt for anything
/// else, including impossible dates such as February 30.
std::optional<int64_t> parse_rfc3339(std::string_view text);

} // namespace sluice
