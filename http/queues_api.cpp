#include "http/api.hpp"

#include "actors/control/queue_rules.hpp"
#include "http/ask.hpp"
#include "http/auth.hpp"
#include "http/envelope.hpp"
#include "http/json_reader.hpp"
#include "http/paging.hpp"
#include "http/query.hpp"
#include "http/queue_json.hpp"

namespace sluice::http {

namespace {

constexpr std::string_view queues_path = "/client/v4/accounts/{account}/queues";
constexpr std::string_view queue_path = "/client/v4/accounts/{account}/queues/{queue_id}";

response render_queue(const storage::queue_record& q) {
  json_writer w;
  write_queue(w, q);
  return ok(w.take());
}

/// Parses a create/update body; on bad input answers `reply` and returns false.
bool parse_queue_body(const request& req, bool allow_empty, caf::optional<std::string>& name,
                      caf::optional<std::string>& jurisdiction, settings_patch& settings,
                      responder& reply) {
  json_reader in;
  if (auto err = in.parse(req.body, allow_empty); !err.empty()) {
    reply(fail(in.malformed() ? errc::malformed_json : errc::invalid_request, err));
    return false;
  }
  auto err = json_reader::get_string(in.root(), "queue_name", "queue_name", name);
  if (err.empty()) {
    err = json_reader::get_string(in.root(), "jurisdiction", "jurisdiction", jurisdiction);
    if (!err.empty())
      err = jurisdiction_rule() + ", got a value that is not a string";
  }
  if (err.empty())
    err = read_settings(in.root(), settings);
  if (!err.empty()) {
    reply(fail(errc::invalid_request, err));
    return false;
  }
  return true;
}

void create(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_write,
      [&ctx, req, account = p[0], reply](principal who) mutable {
        caf::optional<std::string> name;
        create_queue msg;
        msg.caller = who.token_id;
        if (!parse_queue_body(req, false, name, msg.jurisdiction, msg.settings, reply))
          return;
        if (!name) {
          reply(fail(errc::invalid_request, "queue_name is required"));
          return;
        }
        msg.account = account;
        msg.name = *name;
        ask<storage::queue_record>(*ctx.replies, ctx.hub.get(), std::move(msg),
                                   answer<storage::queue_record>(reply, render_queue));
      },
      reply);
}

void list(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_read,
      [&ctx, query = req.query, account = p[0], reply](principal) {
        paging pg;
        if (auto err = parse_paging(query, pg); !err.empty()) {
          reply(fail(errc::invalid_request, err));
          return;
        }
        list_queues msg{account, query_value(query, "name")};
        ask<queue_list>(*ctx.replies, ctx.hub.get(), std::move(msg),
                        answer<queue_list>(reply, [pg](const queue_list& qs) {
                          uint64_t begin = 0;
                          uint64_t end = 0;
                          auto info = page_of(pg, qs.size(), begin, end);
                          json_writer w;
                          w.begin_array();
                          for (auto i = begin; i < end; ++i)
                            write_queue(w, qs[i]);
                          w.end_array();
                          return ok_list(w.take(), info);
                        }));
      },
      reply);
}

void get(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_read,
      [&ctx, account = p[0], id = p[1], reply](principal) {
        ask<storage::queue_record>(*ctx.replies, ctx.hub.get(), get_queue{account, id},
                                   answer<storage::queue_record>(reply, render_queue));
      },
      reply);
}

void update(api_context& ctx, request& req, path_params& p, responder reply, bool replace) {
  authorize(
      ctx, req, p[0], storage::perm_queues_write,
      [&ctx, req, account = p[0], id = p[1], reply, replace](principal who) mutable {
        update_queue msg;
        msg.caller = who.token_id;
        if (!parse_queue_body(req, true, msg.name, msg.jurisdiction, msg.settings, reply))
          return;
        msg.account = account;
        msg.queue_id = id;
        msg.replace = replace;
        ask<storage::queue_record>(*ctx.replies, ctx.hub.get(), std::move(msg),
                                   answer<storage::queue_record>(reply, render_queue));
      },
      reply);
}

void replace(api_context& ctx, request& req, path_params& p, responder reply) {
  update(ctx, req, p, std::move(reply), true);
}

void patch(api_context& ctx, request& req, path_params& p, responder reply) {
  update(ctx, req, p, std::move(reply), false);
}

void remove(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_write,
      [&ctx, account = p[0], id = p[1], reply](principal who) {
        ask<caf::ok_atom>(*ctx.replies, ctx.hub.get(), delete_queue{account, id, who.token_id},
                          answer<caf::ok_atom>(reply, no_result));
      },
      reply);
}

} // namespace

void add_queue_routes(router& r, api_context& ctx) {
  r.add("queues.create", "POST", queues_path, with_context(ctx, create));
  r.add("queues.list", "GET", queues_path, with_context(ctx, list));
  r.add("queues.get", "GET", queue_path, with_context(ctx, get));
  r.add("queues.replace", "PUT", queue_path, with_context(ctx, replace));
  r.add("queues.update", "PATCH", queue_path, with_context(ctx, patch));
  r.add("queues.delete", "DELETE", queue_path, with_context(ctx, remove));
}

} // namespace sluice::http
