#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>

#include <caf/actor_companion.hpp>
#include <caf/actor_control_block.hpp>
#include <caf/actor_system.hpp>
#include <caf/message.hpp>

namespace sluice::http {

/// Where the HTTP layer's requests to actors get their replies: one actor
/// companion, never scheduled, that runs each reply's callback on the thread
/// that sent the reply. No actor is spawned per request (each one cost a
/// spawn, a scheduled start, and on its end a wake-up of CAF's clock thread,
/// which cancels the timeouts of every actor that terminates).
///
/// Thread-safe. Must end before its actor system, whose actor it holds.
class reply_sink {
public:
  /// Called once with the reply: the result, or a `caf::error`.
  using callback = std::function<void(caf::message&)>;

  explicit reply_sink(caf::actor_system& sys);
  ~reply_sink();
  reply_sink(const reply_sink&) = delete;
  reply_sink& operator=(const reply_sink&) = delete;

  /// Sends `msg` to `dest` as a request; `on_reply` runs with its reply on
  /// the replying actor's thread, so it must not block. A receiver that is
  /// gone answers with an error (CAF bounces the request). A callback that
  /// throws is logged; the HTTP answer deadline then answers the client.
  void request(const caf::strong_actor_ptr& dest, caf::message msg, callback on_reply);

  /// Requests sent that have had no reply yet.
  size_t pending() const;

private:
  void on_reply(caf::mailbox_element& reply);
  caf::actor_companion& companion() const;

  caf::strong_actor_ptr self_; ///< the companion
  mutable std::mutex mtx_;
  uint64_t last_id_ = 0;
  std::unordered_map<uint64_t, callback> pending_;
};

} // namespace sluice::http
