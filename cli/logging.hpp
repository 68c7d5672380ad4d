#pragma once

#include <string>

namespace sluice::cli {

/// Makes the default spdlog logger write to stderr in `format` ("text": one
/// line `2026-12-02T20:31:05.123Z info message`; "json": one object per line,
/// `{"time":…,"level":…,"msg":…}`), times in UTC, dropping lines below
/// `level` (trace, debug, info, warn, error, off). Colours only in text format
/// and only on a terminal. Call once, before any thread logs. Returns an error
/// text for an unknown format or level, else "".
std::string set_up_logging(const std::string& format, const std::string& level);

} // namespace sluice::cli
