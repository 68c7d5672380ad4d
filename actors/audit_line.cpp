#include "actors/audit_line.hpp"

#include <memory>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "actors/logfmt.hpp"
#include "actors/time_format.hpp"

namespace sluice {

namespace {

/// The `audit` logger, made once per process (several hubs may run in one
/// test binary). Its own stdout sink shares spdlog's console mutex with the
/// default logger, so lines never interleave.
std::shared_ptr<spdlog::logger> audit_logger() {
  static const auto logger = [] {
    if (auto existing = spdlog::get("audit"))
      return existing;
    auto l = std::make_shared<spdlog::logger>("audit",
                                              std::make_shared<spdlog::sinks::stdout_sink_mt>());
    l->set_pattern("%v");
    l->set_level(spdlog::level::info);
    l->flush_on(spdlog::level::info);
    spdlog::register_logger(l);
    return l;
  }();
  return logger;
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
  audit_logger()->info(audit_line(rec));
}

} // namespace sluice
