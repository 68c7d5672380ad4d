#pragma once

#include <memory>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include "actors/type_ids.hpp"

namespace sluice::test {

/// An actor system on CAF's deterministic test scheduler: nothing
/// runs until the test calls `run()`; time only moves with `advance_time`.
class actor_fixture {
public:
  actor_fixture() {
    add_message_types(cfg_);
    cfg_.set("scheduler.policy", caf::atom("testing"));
    sys_ = std::make_unique<caf::actor_system>(cfg_);
    sched_ = &dynamic_cast<caf::scheduler::test_coordinator&>(sys_->scheduler());
  }

  virtual ~actor_fixture() = default;

  caf::actor_system& sys() { return *sys_; }
  caf::scheduler::test_coordinator& sched() { return *sched_; }

  /// Runs every pending job, including messages produced along the way.
  void run() { sched_->run(); }

  /// The answer of a request started with `ask_later`: empty until it comes.
  template <class R>
  using answer = std::shared_ptr<std::optional<caf::expected<R>>>;

  /// Sends `msg` as a request to `dest` and runs the system as far as it
  /// goes; the answer fills in when it comes (a long poll waits).
  template <class R, class Handle, class Msg>
  answer<R> ask_later(const Handle& dest, Msg msg) {
    auto out = std::make_shared<std::optional<caf::expected<R>>>();
    // `msg` travels as a spawn argument: CAF 0.17.6 dereferences a null
    // shared_ptr<tuple<>> for argument-less spawns (UBSan reports it).
    sys_->spawn(
        [dest, out](caf::event_based_actor* self, Msg m) {
          self->request(dest, caf::infinite, std::move(m))
              .then([out](R& r) { *out = std::move(r); },
                    [out](caf::error& e) { *out = std::move(e); });
        },
        std::move(msg));
    run();
    return out;
  }

  /// Sends `msg` as a request to `dest`, runs the system until it is
  /// answered, and returns the reply or the error.
  template <class R, class Handle, class Msg>
  caf::expected<R> ask(const Handle& dest, Msg msg) {
    auto out = ask_later<R>(dest, std::move(msg));
    if (!*out)
      return caf::make_error(caf::sec::request_receiver_down); // never answered
    return std::move(**out);
  }

private:
  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  caf::scheduler::test_coordinator* sched_ = nullptr;
};

} // namespace sluice::test
