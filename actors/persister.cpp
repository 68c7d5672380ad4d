#include "actors/persister.hpp"

#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/errc.hpp"

namespace sluice {

storage::write_callback persister::then(caf::actor self, std::string_view op, std::string what,
                                        continuation k) {
  auto ticket = next_ticket_++;
  waiting_.emplace(ticket, waiting{std::string{op}, std::move(what), std::move(k)});
  // Runs on the store's thread: only send a message from here.
  return [self = std::move(self), ticket](storage::expected<storage::applied> r) {
    if (r)
      caf::anon_send(self, write_done{ticket, 0, {}});
    else
      caf::anon_send(self,
                     write_done{ticket, static_cast<uint8_t>(r.error().code), r.error().message});
  };
}

void persister::complete(const write_done& msg) {
  auto i = waiting_.find(msg.ticket);
  if (i == waiting_.end())
    return;
  auto w = std::move(i->second);
  waiting_.erase(i);
  if (msg.failure == 0) {
    w.k(caf::error{});
    return;
  }
  report_storage_error(metrics_, w.op, msg.error);
  w.k(storage_error(msg.failure, w.what, msg.error));
}

void report_storage_error(metrics::registry* metrics, std::string_view op,
                          const std::string& message) {
  spdlog::error("storage: {} failed: {}", op, message);
  if (metrics != nullptr)
    metrics->storage_error(op);
}

} // namespace sluice
