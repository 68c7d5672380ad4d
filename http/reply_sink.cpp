#include "http/reply_sink.hpp"

#include <exception>
#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/message_id.hpp>
#include <caf/spawn_options.hpp>
#include <spdlog/spdlog.h>

namespace sluice::http {

reply_sink::reply_sink(caf::actor_system& sys) {
  // Hidden: the system does not wait for it. It ends with its last
  // reference, after the destructor has removed the handler.
  self_ = caf::actor_cast<caf::strong_actor_ptr>(sys.spawn<caf::actor_companion, caf::hidden>());
  companion().on_enqueue([this](caf::mailbox_element_ptr ptr) {
    if (ptr)
      on_reply(*ptr);
  });
}

reply_sink::~reply_sink() {
  // Waits for a callback that runs now; later replies are dropped. The
  // companion itself ends with its last reference (requests still queued
  // at actors hold one).
  companion().on_enqueue({});
}

caf::actor_companion& reply_sink::companion() const {
  return *static_cast<caf::actor_companion*>(caf::actor_cast<caf::abstract_actor*>(self_));
}

void reply_sink::request(const caf::strong_actor_ptr& dest, caf::message msg, callback on_reply) {
  uint64_t id;
  {
    std::lock_guard<std::mutex> lock{mtx_};
    id = ++last_id_;
    pending_.emplace(id, std::move(on_reply));
  }
  dest->enqueue(self_, caf::make_message_id(id), std::move(msg), nullptr);
}

size_t reply_sink::pending() const {
  std::lock_guard<std::mutex> lock{mtx_};
  return pending_.size();
}

void reply_sink::on_reply(caf::mailbox_element& reply) {
  if (!reply.mid.is_response())
    return; // nothing else is sent to the sink
  callback cb;
  {
    std::lock_guard<std::mutex> lock{mtx_};
    auto i = pending_.find(reply.mid.request_id().integer_value());
    if (i == pending_.end())
      return;
    cb = std::move(i->second);
    pending_.erase(i);
  }
  try {
    auto content = reply.move_content_to_message();
    cb(content);
  } catch (const std::exception& e) {
    // It runs inside the replying actor: an escaping exception would end it.
    spdlog::error("answering an HTTP request failed: {}", e.what());
  } catch (...) {
    spdlog::error("answering an HTTP request failed: an unknown exception");
  }
}

} // namespace sluice::http
