#include "actors/persister.hpp"

#include <caf/send.hpp>

namespace sluice {

void persister::submit(caf::actor self, storage::batch b, continuation then) {
  auto ticket = next_ticket_++;
  waiting_.emplace(ticket, std::move(then));
  // Runs on the writer thread: only send a message from here.
  writer_->submit(std::move(b), [self, ticket](const storage::status& st) {
    caf::anon_send(self, write_done{ticket, st.ok() ? std::string{} : st.message()});
  });
}

void persister::complete(const write_done& msg) {
  auto i = waiting_.find(msg.ticket);
  if (i == waiting_.end())
    return;
  auto then = std::move(i->second);
  waiting_.erase(i);
  then(msg.error);
}

} // namespace sluice
