// `sluice audit list`: the audit log (docs/audit.md), newest first.
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "actors/control/logfmt.hpp"
#include "actors/control/time_format.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/time_format.hpp"

namespace sluice::cli {

namespace {

struct audit_flags {
  std::string action;
  std::string resource_id;
  std::string since;
  unsigned limit = 50;
};

/// `s` percent-encoded for a query string (an RFC 3339 offset's '+' included).
std::string query_encoded(const std::string& s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                 || c == '-' || c == '_' || c == '.' || c == '~' || c == ':';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

/// `--since` as RFC 3339: given as such, or as a span ago such as 30m, 2h, 7d.
std::string since_time(const std::string& since) {
  if (parse_rfc3339(since))
    return since;
  size_t used = 0;
  long long n = -1;
  try {
    n = std::stoll(since, &used);
  } catch (const std::exception&) {
  }
  static const std::pair<char, int64_t> units[] = {
      {'s', 1000}, {'m', 60'000}, {'h', 3'600'000}, {'d', 86'400'000}};
  for (auto [unit, ms] : units)
    if (n >= 0 && used + 1 == since.size() && since.back() == unit) {
      using namespace std::chrono;
      auto now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
      return rfc3339(now - n * ms);
    }
  throw cli_error("--since must be an RFC 3339 time (2026-11-23T10:00:00Z) or a span ago such as "
                  "30m, 2h or 7d, got '"
                  + since + "'");
}

/// The details object as `key=value …` (logfmt, as in the server's log).
std::string details_text(simdjson::dom::element entry) {
  std::string out;
  simdjson::dom::object details;
  if (entry["details"].get(details))
    return out;
  for (auto kv : details) {
    std::string_view v;
    if (kv.value.get(v))
      continue;
    out += (out.empty() ? "" : " ") + logfmt_key(kv.key) + "=" + logfmt_value(v);
  }
  return out;
}

} // namespace

void add_audit_commands(CLI::App& app, remote_options& o) {
  auto* audit = app.add_subcommand("audit", "Read the audit log of control-plane changes");
  audit->require_subcommand(1);
  auto f = std::make_shared<audit_flags>();

  auto* ls = audit->add_subcommand("list", "Show the newest entries first (needs admin)");
  ls->add_option("--action", f->action, "Only this action, e.g. CreateQueue, RevokeToken");
  ls->add_option("--resource-id", f->resource_id, "Only entries about this queue, consumer, …");
  ls->add_option("--since", f->since, "From this time on: RFC 3339, or a span ago (30m, 2h, 7d)");
  ls->add_option("--limit", f->limit, "At most this many entries")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  ls->callback([&o, f] {
    std::string query = "?per_page=" + std::to_string(f->limit);
    if (!f->action.empty())
      query += "&action=" + query_encoded(f->action);
    if (!f->resource_id.empty())
      query += "&resource_id=" + query_encoded(f->resource_id);
    if (!f->since.empty())
      query += "&since=" + query_encoded(since_time(f->since));
    remote api{o};
    auto list = api.call("GET", "/sluice/audit" + query);
    if (o.json)
      return print_json(list);
    std::vector<std::vector<std::string>> rows;
    for (auto e : items(list))
      rows.push_back({human_time(field(e, "time")), field(e, "action"),
                      field(e["actor"], "token_id"), field(e["resource"], "type"),
                      field(e["resource"], "name"), field(e["resource"], "id"), details_text(e)});
    print_table({"time", "action", "actor", "type", "name", "id", "details"}, rows);
  });
}

} // namespace sluice::cli
