#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::cli {

/// The one way the CLI shows a time: `epoch_ms` in UTC to the second with how
/// long ago it was from `now_ms`, e.g. "2026-12-03 07:41:03 UTC (12s ago)",
/// "(just now)", "(in 5m)" for a future time. Spans are whole units: s, m, h, d.
std::string human_time(int64_t epoch_ms, int64_t now_ms);

/// `human_time` of an RFC 3339 text from the API ("2026-12-03T07:41:03.000Z")
/// or of epoch milliseconds given as digits ("1796283663000"); any other text
/// (and "") is returned as it is.
std::string human_time(std::string_view api_time, int64_t now_ms);

/// `human_time` against the system clock: for printing, at the CLI's edge.
std::string human_time(std::string_view api_time);

/// The system clock's now in Unix epoch milliseconds.
int64_t now_ms();

} // namespace sluice::cli
