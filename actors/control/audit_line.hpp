#pragma once

#include <string>

#include "storage/records.hpp"

/// The structured log line of an audit entry (docs/audit.md).

namespace sluice {

/// `audit time=<RFC 3339 ms UTC> id=<seq> account=… actor=<token id> action=…
/// resource_type=… resource_id=… resource_name=… <detail key>=<value>…` in
/// logfmt (see `logfmt_value`). Pure; any thread.
std::string audit_line(const storage::audit_record& rec);

/// Writes `audit_line(rec)` at info level through an asynchronous spdlog
/// logger named `audit`: to stdout, the line alone (no spdlog prefix, so every
/// field parses), flushed at once by the logger's own thread. Returns once the
/// line is queued (it blocks only while 8192 lines wait). Call once the entry
/// is durable.
void log_audit(const storage::audit_record& rec);

} // namespace sluice
