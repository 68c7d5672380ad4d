#pragma once

#include <functional>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/expected.hpp>

#include "actors/control/queue_directory.hpp"
#include "actors/errc.hpp"
#include "http/envelope.hpp"
#include "http/message.hpp"

namespace sluice::http {

/// Sends `msg` as a request to `dest` without blocking the calling (I/O)
/// thread: a short-lived actor makes the request and calls `done` with the
/// reply or the error, on a CAF thread. No CAF time-out (each one costs the
/// clock thread a wake-up): the HTTP session answers 504 when its own
/// deadline passes first (`server_options::answer_timeout`). `done` must not block; it typically
/// renders a response and hands it to a `responder`, which posts it back to
/// the connection's executor.
template <class Result, class Handle, class Msg>
void ask(caf::actor_system& sys, const Handle& dest, Msg msg,
         std::function<void(caf::expected<Result>)> done) {
  if (!dest) {
    // Cluster mode between two leadership terms: no hub runs here.
    done(make_error(errc::unavailable, "this node is changing leadership; retry"));
    return;
  }
  // `msg` travels as a spawn argument: CAF 0.17.6 dereferences a null
  // shared_ptr<tuple<>> for argument-less spawns (UBSan reports it).
  sys.spawn(
      [dest, done = std::move(done)](caf::event_based_actor* self, Msg m) {
        // No deadline of its own: the server's answer deadline answers the
        // client, and a pending timeout would keep this actor alive for it.
        self->request(dest, caf::infinite, std::move(m))
            .then([done](Result& r) { done(std::move(r)); },
                  [done](caf::error& e) { done(std::move(e)); });
      },
      std::move(msg));
}

/// As `ask`, straight to the coordinator of queue `msg.queue_id`, found in
/// `queues` (the hub stays out of the data path). A queue `msg.account` does
/// not own is answered at once, on the calling thread, with
/// `queue_not_found`.
template <class Result, class Msg>
void ask_queue(caf::actor_system& sys, const queue_directory& queues, Msg msg,
               std::function<void(caf::expected<Result>)> done) {
  auto c = queues.find(msg.account, msg.queue_id);
  if (!c) {
    done(queue_not_found(msg.queue_id));
    return;
  }
  ask<Result>(sys, *c, std::move(msg), std::move(done));
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
