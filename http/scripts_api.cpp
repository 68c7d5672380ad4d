// Scripts (docs/plugins.md): deployed instances of a consumer plugin with their
// variables, under /client/v4/accounts/{account}/sluice/scripts, and the
// plugins a script can name under /sluice/plugins.
#include <algorithm>

#include "actors/control/script_rules.hpp"
#include "actors/plugins/host/plugin_host.hpp"
#include "http/api.hpp"
#include "http/ask.hpp"
#include "http/auth.hpp"
#include "http/envelope.hpp"
#include "http/json_reader.hpp"
#include "http/queue_json.hpp"

namespace sluice::http {

namespace {

constexpr std::string_view scripts_path = "/client/v4/accounts/{account}/sluice/scripts";
constexpr std::string_view script_path = "/client/v4/accounts/{account}/sluice/scripts/{name}";
constexpr std::string_view plugins_path = "/client/v4/accounts/{account}/sluice/plugins";

/// Renders `s`. Its env values (webhook URLs with credentials, API keys) go
/// only to admins of the account (`with_secrets`); others see the names, each
/// with a null value (docs/api.md, scripts).
void write_script(json_writer& w, const storage::script_record& s, bool with_secrets) {
  w.begin_object()
      .key("name")
      .value(s.name)
      .key("id")
      .value(s.name)
      .key("plugin")
      .value(s.plugin)
      .key("env")
      .begin_object();
  for (const auto& [k, v] : s.env) {
    w.key(k);
    if (with_secrets)
      w.value(v);
    else
      w.null();
  }
  w.end_object()
      .key("created_on")
      .value(rfc3339(s.created_ms))
      .key("modified_on")
      .value(rfc3339(s.modified_ms))
      .end_object();
}

/// Asks the hub `msg` and answers with the script it replies, or its error.
template <class Request>
void ask_script(api_context& ctx, Request msg, bool with_secrets, const responder& reply) {
  ask<storage::script_record>(
      *ctx.replies, ctx.hub.get(), std::move(msg),
      answer<storage::script_record>(reply, [with_secrets](const storage::script_record& s) {
        json_writer w;
        write_script(w, s, with_secrets);
        return ok(w.take());
      }));
}

/// The plugins a script may name: the built-ins and the plugin directory's.
std::vector<std::string> plugins_of(const api_context& ctx) {
  return ctx.plugins != nullptr ? ctx.plugins->available() : std::vector<std::string>{};
}

/// Reads `{plugin, env?}` into `out`; an error text naming the field, or empty.
std::string read_script(const api_context& ctx, simdjson::dom::object body, put_script& out) {
  caf::optional<std::string> plugin;
  if (auto err = json_reader::get_string(body, "plugin", "plugin", plugin); !err.empty())
    return err;
  auto available = plugins_of(ctx);
  std::string names;
  for (const auto& n : available)
    names += (names.empty() ? "" : ", ") + n;
  if (!plugin || plugin->empty())
    return "plugin is required: the consumer plugin this script runs (one of " + names + ")";
  if (ctx.plugins != nullptr
      && std::find(available.begin(), available.end(), *plugin) == available.end())
    return "plugin '" + *plugin + "' is not available: use one of " + names
           + " (built-ins, plus the .so files of --plugin-dir)";
  out.plugin = *plugin;
  simdjson::dom::object env;
  bool found = false;
  if (auto err = json_reader::get_object(body, "env", "env", env, found); !err.empty() || !found)
    return err;
  for (auto field : env) {
    std::string_view value;
    if (field.value.get(value) != simdjson::SUCCESS)
      return "env." + std::string{field.key} + " must be a string";
    out.env.emplace_back(std::string{field.key}, std::string{value});
  }
  return {};
}

void put(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_admin,
      [&ctx, req, account = p[0], name = p[1], reply](principal who) {
        json_reader in;
        if (auto err = in.parse(req.body); !err.empty()) {
          reply(fail(in.malformed() ? errc::malformed_json : errc::invalid_request, err));
          return;
        }
        put_script msg{account, name, {}, {}, who.token_id};
        if (auto err = read_script(ctx, in.root(), msg); !err.empty()) {
          reply(fail(errc::invalid_request, err));
          return;
        }
        // The script's own bounds first (the hub checks them again), then
        // what its plugin says of its variables.
        storage::script_record candidate{account, name, msg.plugin, msg.env, 0, 0};
        if (auto err = check_script(candidate); !err.empty()) {
          reply(fail(errc::invalid_request, err));
          return;
        }
        if (ctx.plugins != nullptr) {
          auto err =
              ctx.plugins->check_deploy(msg.plugin, msg.env, who.account == storage::all_accounts);
          if (!err.empty()) {
            reply(fail(errc::invalid_request, err));
            return;
          }
        }
        ask_script(ctx, std::move(msg), true, reply);
      },
      reply);
}

void list(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_read,
      [&ctx, account = p[0], reply](principal who) {
        auto secrets = who.has(storage::perm_admin);
        ask<script_list>(*ctx.replies, ctx.hub.get(), list_scripts{account},
                         answer<script_list>(reply, [secrets](const script_list& ss) {
                           json_writer w;
                           w.begin_array();
                           for (const auto& s : ss)
                             write_script(w, s, secrets);
                           w.end_array();
                           return ok_list(w.take(), {1, ss.size(), ss.size(), ss.size()});
                         }));
      },
      reply);
}

void get(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_read,
      [&ctx, account = p[0], name = p[1], reply](principal who) {
        ask_script(ctx, get_script{account, name}, who.has(storage::perm_admin), reply);
      },
      reply);
}

void remove(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_admin,
      [&ctx, account = p[0], name = p[1], reply](principal who) {
        ask<caf::ok_atom>(*ctx.replies, ctx.hub.get(), delete_script{account, name, who.token_id},
                          answer<caf::ok_atom>(reply, no_result));
      },
      reply);
}

void list_plugins(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_read,
      [&ctx, reply](principal) {
        auto names = plugins_of(ctx);
        json_writer w;
        w.begin_array();
        for (const auto& n : names)
          w.value(n);
        w.end_array();
        reply(ok_list(w.take(), {1, names.size(), names.size(), names.size()}));
      },
      reply);
}

} // namespace

void add_script_routes(router& r, api_context& ctx) {
  r.add("scripts.list", "GET", scripts_path, with_context(ctx, list));
  r.add("scripts.put", "PUT", script_path, with_context(ctx, put));
  r.add("scripts.get", "GET", script_path, with_context(ctx, get));
  r.add("scripts.delete", "DELETE", script_path, with_context(ctx, remove));
  r.add("plugins.list", "GET", plugins_path, with_context(ctx, list_plugins));
}

} // namespace sluice::http
