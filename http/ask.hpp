#pragma once

#include <functional>
#include <type_traits>
#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/expected.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

#include "actors/control/queue_directory.hpp"
#include "actors/errc.hpp"
#include "http/envelope.hpp"
#include "http/message.hpp"
#include "http/reply_sink.hpp"

namespace sluice::http {

/// The reply to an `ask` as the result it carries, or its error.
template <class Result>
caf::expected<Result> reply_as(caf::message& reply) {
  if (reply.match_elements<Result>()) {
    if constexpr (std::is_empty_v<Result>)
      return Result{}; // an atom constant: the match checked its value
    else
      return std::move(reply.get_mutable_as<Result>(0));
  }
  if (reply.match_elements<caf::error>())
    return std::move(reply.get_mutable_as<caf::error>(0));
  return caf::make_error(caf::sec::unexpected_response);
}

/// Sends `msg` as a request to `dest` without blocking the calling (I/O)
/// thread, and calls `done` with the reply or the error on the thread that
/// replied (see `reply_sink`). No CAF time-out (each one costs the clock
/// thread a wake-up): the HTTP session answers 504 when its own deadline
/// passes first (`server_options::answer_timeout`). `done` must not block;
/// it typically renders a response and hands it to a `responder`, which posts
/// it back to the connection's executor.
template <class Result, class Handle, class Msg>
void ask(reply_sink& replies, const Handle& dest, Msg msg,
         std::function<void(caf::expected<Result>)> done) {
  if (!dest) {
    // Cluster mode between two leadership terms: no hub runs here.
    done(make_error(errc::unavailable, "this node is changing leadership; retry"));
    return;
  }
  replies.request(caf::actor_cast<caf::strong_actor_ptr>(dest), caf::make_message(std::move(msg)),
                  [done = std::move(done)](caf::message& reply) { done(reply_as<Result>(reply)); });
}

/// As `ask`, straight to the coordinator of queue `msg.queue_id`, found in
/// `queues` (the hub stays out of the data path). A queue `msg.account` does
/// not own is answered at once, on the calling thread, with
/// `queue_not_found`.
template <class Result, class Msg>
void ask_queue(reply_sink& replies, const queue_directory& queues, Msg msg,
               std::function<void(caf::expected<Result>)> done) {
  auto c = queues.find(msg.account, msg.queue_id);
  if (!c) {
    done(queue_not_found(msg.queue_id));
    return;
  }
  ask<Result>(replies, *c, std::move(msg), std::move(done));
}

/// The one way a handler turns an actor's reply into its response: the
/// error's envelope (status, code and message, see `fail`), or
/// `render(result)`. Pass it as the `done` of `ask` or `ask_queue`.
template <class Result, class Render>
std::function<void(caf::expected<Result>)> answer(responder reply, Render render) {
  return [reply = std::move(reply), render = std::move(render)](caf::expected<Result> r) {
    reply(r ? render(*r) : fail(r.error()));
  };
}

/// The response to a request whose reply carries no data (`result: null`).
inline response no_result(const caf::ok_atom&) {
  return ok({});
}

} // namespace sluice::http
