// Redrive (docs/api.md, "Redrive"): POST starts a task moving a dead-letter
// queue's messages back, GET shows the queue's last task, DELETE cancels the
// running one — SQS's StartMessageMoveTask, ListMessageMoveTasks and
// CancelMessageMoveTask.
#include "actors/control/time_format.hpp"
#include "http/api.hpp"
#include "http/ask.hpp"
#include "http/auth.hpp"
#include "http/envelope.hpp"
#include "http/json_reader.hpp"
#include "http/json_writer.hpp"

namespace sluice::http {

namespace {

constexpr std::string_view redrive_path = "/client/v4/accounts/{account}/queues/{queue_id}/redrive";

response render_task(const storage::redrive_record& r) {
  json_writer w;
  w.begin_object().key("task_id").value(r.id).key("source_queue_id").value(r.source_queue_id);
  w.key("destination_queue_id");
  if (r.destination_queue_id.empty())
    w.null();
  else
    w.value(r.destination_queue_id);
  w.key("max_messages_per_second");
  if (r.max_per_second == 0)
    w.null();
  else
    w.value(r.max_per_second);
  auto remaining = r.to_move > r.moved ? r.to_move - r.moved : 0;
  w.key("state")
      .value(storage::redrive_state_name(r.state))
      .key("messages_moved")
      .value(r.moved)
      .key("messages_to_move")
      .value(r.to_move)
      .key("messages_remaining")
      .value(r.state == storage::redrive_state::running ? remaining : uint64_t{0})
      .key("started_on")
      .value(rfc3339(r.started_ms))
      .key("finished_on");
  if (r.finished_ms == 0)
    w.null();
  else
    w.value(rfc3339(r.finished_ms));
  w.key("failure_reason");
  if (r.failure_reason.empty())
    w.null();
  else
    w.value(r.failure_reason);
  w.end_object();
  return ok(w.take());
}

void start(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_write,
      [&ctx, req, account = p[0], id = p[1], reply](principal who) mutable {
        json_reader in;
        if (auto err = in.parse(req.body, true); !err.empty()) {
          reply(fail(in.malformed() ? errc::malformed_json : errc::invalid_request, err));
          return;
        }
        start_redrive msg{account, id, caf::none, caf::none, who.token_id};
        auto err = json_reader::get_string(in.root(), "destination_queue_id",
                                           "destination_queue_id", msg.destination_queue_id);
        if (err.empty())
          err = json_reader::get_int(in.root(), "max_messages_per_second",
                                     "max_messages_per_second", msg.max_messages_per_second);
        if (!err.empty()) {
          reply(fail(errc::invalid_request, err));
          return;
        }
        ask<storage::redrive_record>(*ctx.replies, ctx.hub.get(), std::move(msg),
                                     answer<storage::redrive_record>(reply, render_task));
      },
      reply);
}

void status(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_read,
      [&ctx, account = p[0], id = p[1], reply](principal) {
        // As SQS's ListMessageMoveTasks, a queue without a task has an empty answer, not an
        // error: `result: null`.
        ask<storage::redrive_record>(*ctx.replies, ctx.hub.get(), get_redrive{account, id},
                                     [reply](caf::expected<storage::redrive_record> r) {
                                       if (r)
                                         reply(render_task(*r));
                                       else if (error_code(r.error()) == errc::redrive_not_found)
                                         reply(ok({}));
                                       else
                                         reply(fail(r.error()));
                                     });
      },
      reply);
}

void cancel(api_context& ctx, request& req, path_params& p, responder reply) {
  authorize(
      ctx, req, p[0], storage::perm_queues_write,
      [&ctx, account = p[0], id = p[1], reply](principal who) {
        ask<storage::redrive_record>(*ctx.replies, ctx.hub.get(),
                                     cancel_redrive{account, id, who.token_id},
                                     answer<storage::redrive_record>(reply, render_task));
      },
      reply);
}

} // namespace

void add_redrive_routes(router& r, api_context& ctx) {
  r.add("queues.redrive.start", "POST", redrive_path, with_context(ctx, start));
  r.add("queues.redrive.get", "GET", redrive_path, with_context(ctx, status));
  r.add("queues.redrive.cancel", "DELETE", redrive_path, with_context(ctx, cancel));
}

} // namespace sluice::http
