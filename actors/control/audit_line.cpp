#include "actors/control/audit_line.hpp"

#include <memory>

#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "actors/control/logfmt.hpp"
#include "actors/control/time_format.hpp"

namespace sluice {

namespace {

/// The `audit` logger, made once per process (several hubs may run in one
/// test binary). Asynchronous: the hub's CAF thread only queues the line; a
/// thread of its own writes it to stderr with the other logs, so a slow
/// reader does not stall the hub until 8192 lines wait. Its sink shares
/// spdlog's console mutex with the default logger, so lines never interleave.
struct audit_writer {
  // Declared first, so destroyed last: its thread writes every queued line,
  // then stops.
  std::shared_ptr<spdlog::details::thread_pool> pool =
      std::make_shared<spdlog::details::thread_pool>(8192, 1);
  std::shared_ptr<spdlog::logger> logger = std::make_shared<spdlog::async_logger>(
      "audit", std::make_shared<spdlog::sinks::stderr_sink_mt>(), pool,
      spdlog::async_overflow_policy::block);

  audit_writer() {
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::info);
    logger->flush_on(spdlog::level::info);
  }
};

spdlog::logger& audit_logger() {
  static const audit_writer writer;
  return *writer.logger;
}

void field(std::string& out, std::string_view key, std::string_view value) {
  out += ' ';
  out += key;
  out += '=';
  out += logfmt_value(value);
}

} // namespace

std::string audit_line(const storage::audit_record& rec) {
  std::string out = "audit";
  field(out, "time", rfc3339(rec.time_ms));
  field(out, "id", std::to_string(rec.seq));
  field(out, "account", rec.account);
  field(out, "actor", rec.caller);
  field(out, "action", rec.action);
  field(out, "resource_type", rec.resource_type);
  field(out, "resource_id", rec.resource_id);
  field(out, "resource_name", rec.resource_name);
  for (const auto& [k, v] : rec.details)
    field(out, logfmt_key(k), v);
  return out;
}

void log_audit(const storage::audit_record& rec) {
  audit_logger().info(audit_line(rec));
}

} // namespace sluice
