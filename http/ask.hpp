#pragma once

#include <functional>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/expected.hpp>

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
  // `msg` travels as a spawn argument: CAF 0.17.6 dereferences a null
  // shared_ptr<tuple<>> for argument-less spawns (UBSan reports it).
  sys.spawn(
      [dest, done = std::move(done)](caf::event_based_actor* self, Msg m) {
        self->request(dest, caf::infinite, std::move(m))
            .then([done](Result& r) { done(std::move(r)); },
                  [done](caf::error& e) { done(std::move(e)); });
      },
      std::move(msg));
}

} // namespace sluice::http
