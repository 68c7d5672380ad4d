#include "http/api.hpp"

#include "http/ask.hpp"
#include "http/auth.hpp"
#include "http/envelope.hpp"
#include "http/json_reader.hpp"
#include "http/queue_json.hpp"

namespace sluice::http {

namespace {

constexpr std::string_view consumers_path =
    "/client/v4/accounts/{account}/queues/{queue_id}/consumers";
constexpr std::string_view consumer_path =
    "/client/v4/accounts/{account}/queues/{queue_id}/consumers/{consumer_id}";

/// Reads the queue, then answers with `render(queue)`.
template <class Render>
void with_queue(api_context& ctx, const std::string& account, const std::string& id,
                responder reply, Render render) {
  ask<storage::queue_record>(*ctx.replies, ctx.hub.get(), get_queue{account, id},
                             answer<storage::queue_record>(std::move(reply), std::move(render)));
}

void put(api_context& ctx, request& req, path_params& p, responder reply, std::string consumer_id) {
  authorize(
      ctx, req, p[0], storage::perm_queues_write,
      [&ctx, req, account = p[0], id = p[1], consumer_id, reply](principal who) mutable {
        json_reader in;
        if (auto err = in.parse(req.body); !err.empty()) {
          reply(fail(in.malformed() ? errc::malformed_json : errc::invalid_request, err));
          return;
        }
        put_consumer msg{account, id, consumer_id, {}, who.token_id};
        if (auto err = read_consumer(in.root(), msg.body); !err.empty()) {
          reply(fail(errc::invalid_request, err));
          return;
        }
        ask<storage::consumer_record>(
            *ctx.replies, ctx.hub.get(), std::move(msg),
            [&ctx, account, id, reply](caf::expected<storage::consumer_record> c) {
              if (!c) {
                reply(fail(c.error()));
                return;
              }
              with_queue(ctx, account, id, reply, [c = *c](const storage::queue_record& q) {
                json_writer w;
                write_consumer(w, q, c);
                return ok(w.take());
              });
            });
      },
      reply);
}

void create(api_context& ctx, request& req, path_params& p, responder reply) {
  put(ctx, req, p, std::move(reply), {});
}

void replace(api_context& ctx, request& req, path_params& p, responder reply) {
  put(ctx, req, p, std::move(reply), p[2]);
}

void list(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_read,
      [&ctx, account = p[0], id = p[1], reply](principal) {
        with_queue(ctx, account, id, reply, [](const storage::queue_record& q) {
          json_writer w;
          w.begin_array();
          for (const auto& c : q.consumers)
            write_consumer(w, q, c);
          w.end_array();
          auto n = static_cast<uint64_t>(q.consumers.size());
          return ok_list(w.take(), {1, n, n, n});
        });
      },
      reply);
}

void get(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_read,
      [&ctx, account = p[0], id = p[1], cid = p[2], reply](principal) {
        with_queue(ctx, account, id, reply, [cid](const storage::queue_record& q) {
          for (const auto& c : q.consumers)
            if (c.id == cid) {
              json_writer w;
              write_consumer(w, q, c);
              return ok(w.take());
            }
          return fail(errc::consumer_not_found,
                      "consumer '" + cid + "' does not exist on this queue");
        });
      },
      reply);
}

void remove(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_write,
      [&ctx, account = p[0], id = p[1], cid = p[2], reply](principal who) {
        ask<caf::ok_atom>(*ctx.replies, ctx.hub.get(),
                          delete_consumer{account, id, cid, who.token_id},
                          answer<caf::ok_atom>(reply, no_result));
      },
      reply);
}

} // namespace

void add_consumer_routes(router& r, api_context& ctx) {
  r.add("consumers.create", "POST", consumers_path, with_context(ctx, create));
  r.add("consumers.list", "GET", consumers_path, with_context(ctx, list));
  r.add("consumers.get", "GET", consumer_path, with_context(ctx, get));
  r.add("consumers.replace", "PUT", consumer_path, with_context(ctx, replace));
  r.add("consumers.delete", "DELETE", consumer_path, with_context(ctx, remove));
}

} // namespace sluice::http
