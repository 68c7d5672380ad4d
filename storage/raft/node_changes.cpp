// The membership half of node_engine: add, assign, remove, transfer.
#include "storage/raft/node_engine.hpp"
#include "storage/raft/raft_codes.hpp"

namespace sluice::storage::raft {

void node_engine::start_change(change_request c) {
  auto* change = new in_flight_change;
  change->owner = this;
  change->req.data = change;
  change->transfer.data = change;
  change->request = std::move(c);
  const auto& r = change->request;
  int rv = 0;
  switch (r.what) {
    case change_request::kind::add:
      rv = raft_add(&raft_, &change->req, r.id, r.address.c_str(), &node_engine::on_changed);
      break;
    case change_request::kind::assign:
      rv = raft_assign(&raft_, &change->req, r.id, to_raft_role(r.role), &node_engine::on_changed);
      break;
    case change_request::kind::remove:
      rv = raft_remove(&raft_, &change->req, r.id, &node_engine::on_changed);
      break;
    case change_request::kind::transfer:
      rv = raft_transfer(&raft_, &change->transfer, r.id, &node_engine::on_transferred);
      break;
  }
  if (rv != 0) {
    finish_change(change, from_raft_code(rv),
                  rv == RAFT_NOTLEADER ? not_leader_text : raft_errmsg(&raft_));
    return;
  }
  changes_in_flight_.insert(change);
}

void node_engine::finish_change(in_flight_change* change, raft_errc code, std::string message) {
  changes_in_flight_.erase(change);
  if (change->request.done)
    change->request.done({code, current_leader(), std::move(message)});
  delete change;
}

void node_engine::on_changed(raft_change* req, int status) {
  auto* change = static_cast<in_flight_change*>(req->data);
  change->owner->finish_change(change, from_raft_code(status),
                               status == 0 ? "" : raft_strerror(status));
}

void node_engine::on_transferred(struct raft_transfer* req) {
  auto* change = static_cast<in_flight_change*>(req->data);
  auto& self = *change->owner;
  // Raft calls back when the target leads or the election timeout passed:
  // only the leader it now knows tells which.
  leader_hint leader = self.current_leader();
  uint64_t target = change->request.id;
  bool moved = target != 0 ? leader.id == target : leader.id != 0 && leader.id != self.config_.id;
  self.finish_change(change, moved ? raft_errc::ok : raft_errc::busy,
                     moved ? "" : "leadership did not move within the election timeout");
}

} // namespace sluice::storage::raft
