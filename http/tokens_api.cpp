#include "http/api.hpp"

#include "http/ask.hpp"
#include "http/auth.hpp"
#include "http/envelope.hpp"
#include "http/json_reader.hpp"
#include "http/permissions.hpp"
#include "http/queue_json.hpp"

namespace sluice::http {

namespace {

constexpr std::string_view tokens_path = "/client/v4/accounts/{account}/sluice/tokens";
constexpr std::string_view token_path = "/client/v4/accounts/{account}/sluice/tokens/{id}";

void write_token(json_writer& w, const storage::token_record& t, const std::string* secret) {
  w.begin_object().key("id").value(t.id).key("name").value(t.name).key("account");
  if (t.account == storage::all_accounts)
    w.null();
  else
    w.value(t.account);
  w.key("permissions").begin_array();
  for (const auto& p : permission_names)
    if ((t.permissions & p.bit) != 0)
      w.value(p.name);
  w.end_array().key("created_on").value(rfc3339(t.created_ms));
  if (secret != nullptr)
    w.key("value").value(*secret);
  w.end_object();
}

/// Reads `{name?, permissions: [...], all_accounts?}`; answers `reply` on bad
/// input and returns false.
bool parse_token_body(const request& req, create_token& out, responder& reply) {
  json_reader in;
  if (auto err = in.parse(req.body); !err.empty()) {
    reply(fail(in.malformed() ? errc::malformed_json : errc::invalid_request, err));
    return false;
  }
  caf::optional<std::string> name;
  caf::optional<std::vector<std::string>> perms;
  caf::optional<bool> all;
  auto err = json_reader::get_string(in.root(), "name", "name", name);
  if (err.empty())
    err = json_reader::get_string_array(in.root(), "permissions", "permissions", perms);
  if (err.empty())
    err = json_reader::get_bool(in.root(), "all_accounts", "all_accounts", all);
  if (err.empty() && name && name->size() > max_name_bytes)
    err = "name must be at most " + std::to_string(max_name_bytes) + " bytes, got "
          + std::to_string(name->size());
  if (err.empty() && (!perms || perms->empty()))
    err = "permissions is required: a list of queues_read, queues_write, events_publish, admin";
  if (err.empty())
    for (const auto& p : *perms) {
      auto bit = permission_of_name(p);
      if (bit == 0) {
        err = "permissions: unknown permission '" + p
              + "' (use queues_read, queues_write, events_publish, admin)";
        break;
      }
      out.permissions |= bit;
    }
  if (!err.empty()) {
    reply(fail(errc::invalid_request, err));
    return false;
  }
  out.name = name ? *name : std::string{};
  out.all_accounts = all && *all;
  return true;
}

void create(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_admin,
      [&ctx, req, account = p[0], reply](principal caller) mutable {
        create_token msg;
        if (!parse_token_body(req, msg, reply))
          return;
        msg.caller = std::move(caller);
        msg.account = account;
        ask<token_created>(*ctx.replies, ctx.hub.get(), std::move(msg),
                           answer<token_created>(reply, [](const token_created& t) {
                             json_writer w;
                             write_token(w, t.record, &t.secret);
                             return ok(w.take());
                           }));
      },
      reply);
}

void list(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_admin,
      [&ctx, account = p[0], reply](principal caller) {
        ask<token_list>(*ctx.replies, ctx.hub.get(), list_tokens{std::move(caller), account},
                        answer<token_list>(reply, [](const token_list& ts) {
                          json_writer w;
                          w.begin_array();
                          for (const auto& t : ts)
                            write_token(w, t, nullptr);
                          w.end_array();
                          return ok_list(w.take(), {1, ts.size(), ts.size(), ts.size()});
                        }));
      },
      reply);
}

void revoke(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_admin,
      [&ctx, account = p[0], id = p[1], reply](principal caller) {
        ask<caf::ok_atom>(*ctx.replies, ctx.hub.get(), revoke_token{std::move(caller), account, id},
                          answer<caf::ok_atom>(reply, no_result));
      },
      reply);
}

} // namespace

void add_token_routes(router& r, api_context& ctx) {
  r.add("tokens.create", "POST", tokens_path, with_context(ctx, create));
  r.add("tokens.list", "GET", tokens_path, with_context(ctx, list));
  r.add("tokens.revoke", "DELETE", token_path, with_context(ctx, revoke));
}

} // namespace sluice::http
