// The audit log (docs/audit.md) under /client/v4/accounts/{account}/sluice/audit:
// who changed what and when, newest first, answered from the hub's memory.
#include <limits>

#include "actors/control/audit_log.hpp"
#include "actors/control/time_format.hpp"
#include "http/api.hpp"
#include "http/ask.hpp"
#include "http/auth.hpp"
#include "http/envelope.hpp"
#include "http/json_writer.hpp"
#include "http/paging.hpp"
#include "http/query.hpp"

namespace sluice::http {

namespace {

constexpr std::string_view audit_path = "/client/v4/accounts/{account}/sluice/audit";

/// Entries per page when the query names no `per_page`.
constexpr uint64_t default_audit_per_page = 50;

void write_entry(json_writer& w, const storage::audit_record& e) {
  w.begin_object().key("id").value(std::to_string(e.seq)).key("time").value(rfc3339(e.time_ms));
  w.key("account").value(e.account);
  w.key("actor").begin_object().key("token_id").value(e.caller).end_object();
  w.key("action").value(e.action);
  w.key("resource").begin_object().key("type").value(e.resource_type);
  w.key("id").value(e.resource_id).key("name").value(e.resource_name).end_object();
  w.key("details").begin_object();
  for (const auto& [k, v] : e.details)
    w.key(k).value(v);
  w.end_object().end_object();
}

/// Reads a `since`/`until` parameter; an error text naming it, or empty.
std::string read_time(std::string_view query, const char* name, caf::optional<int64_t>& out) {
  bool found = false;
  auto text = query_value(query, name, &found);
  if (!found)
    return {};
  auto ms = parse_rfc3339(text);
  if (!ms)
    return std::string{name} + " must be an RFC 3339 time such as 2026-11-23T10:00:00Z (UTC) or "
           + "2026-11-23T11:00:00+01:00, got '" + text + "'";
  out = *ms;
  return {};
}

std::string known_actions() {
  std::string out;
  for (auto a : audit_action::all)
    out += (out.empty() ? "" : ", ") + std::string{a};
  return out;
}

/// Reads `action`, `resource_id`, `since`, `until`, `page` and `per_page`
/// into `out` and `pg`; an error text naming the bad parameter, or empty.
std::string read_audit_query(std::string_view query, list_audit& out, paging& pg) {
  out.action = query_value(query, "action");
  if (!out.action.empty() && !audit_action::known(out.action))
    return "action: unknown action '" + out.action + "'; use one of " + known_actions();
  out.resource_id = query_value(query, "resource_id");
  if (auto err = read_time(query, "since", out.since_ms); !err.empty())
    return err;
  if (auto err = read_time(query, "until", out.until_ms); !err.empty())
    return err;
  if (out.since_ms && out.until_ms && *out.since_ms > *out.until_ms)
    return "since must not be later than until";
  if (auto err = parse_paging(query, pg); !err.empty())
    return err;
  bool has_per_page = false;
  query_value(query, "per_page", &has_per_page);
  if (!has_per_page)
    pg.per_page = default_audit_per_page;
  auto max_page = std::numeric_limits<uint64_t>::max() / pg.per_page;
  out.offset =
      pg.page - 1 >= max_page ? std::numeric_limits<uint64_t>::max() : (pg.page - 1) * pg.per_page;
  out.limit = pg.per_page;
  return {};
}

void list(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_admin,
      [&ctx, query = req.query, account = p[0], reply](principal) {
        list_audit msg;
        msg.account = account;
        paging pg;
        if (auto err = read_audit_query(query, msg, pg); !err.empty()) {
          reply(fail(errc::invalid_request, err));
          return;
        }
        ask<audit_list>(
            *ctx.replies, ctx.hub.get(), std::move(msg),
            answer<audit_list>(reply, [pg](const audit_list& found) {
              json_writer w;
              w.begin_array();
              for (const auto& e : found.entries)
                write_entry(w, e);
              w.end_array();
              return ok_list(w.take(), {pg.page, pg.per_page, found.entries.size(), found.total});
            }));
      },
      reply);
}

} // namespace

void add_audit_routes(router& r, api_context& ctx) {
  r.add("audit.list", "GET", audit_path, with_context(ctx, list));
}

} // namespace sluice::http
