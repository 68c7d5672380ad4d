#pragma once

#include <cstdint>
#include <string>

namespace sluice {

/// `epoch_ms` as RFC 3339 UTC with milliseconds, e.g. "2026-11-23T10:00:00.000Z".
std::string rfc3339(int64_t epoch_ms);

} // namespace sluice
