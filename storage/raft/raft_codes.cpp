#include "storage/raft/raft_codes.hpp"

namespace sluice::storage::raft {

int to_raft_role(member_role role) {
  switch (role) {
    case member_role::voter:
      return RAFT_VOTER;
    case member_role::standby:
      return RAFT_STANDBY;
    case member_role::spare:
      return RAFT_SPARE;
  }
  return RAFT_SPARE;
}

member_role from_raft_role(int role) {
  if (role == RAFT_VOTER)
    return member_role::voter;
  if (role == RAFT_STANDBY)
    return member_role::standby;
  return member_role::spare;
}

node_role from_raft_state(int state) {
  switch (state) {
    case RAFT_FOLLOWER:
      return node_role::follower;
    case RAFT_CANDIDATE:
      return node_role::candidate;
    case RAFT_LEADER:
      return node_role::leader;
    default:
      return node_role::unavailable;
  }
}

raft_errc from_raft_code(int rv) {
  switch (rv) {
    case 0:
      return raft_errc::ok;
    case RAFT_NOTLEADER:
      return raft_errc::not_leader;
    case RAFT_LEADERSHIPLOST:
      return raft_errc::leadership_lost;
    case RAFT_SHUTDOWN:
      return raft_errc::shutting_down;
    case RAFT_CANTCHANGE:
      return raft_errc::busy;
    case RAFT_BADID:
    case RAFT_DUPLICATEID:
    case RAFT_DUPLICATEADDRESS:
    case RAFT_BADROLE:
    case RAFT_NOTFOUND:
    case RAFT_INVALID:
      return raft_errc::invalid;
    default:
      return raft_errc::io_error;
  }
}

} // namespace sluice::storage::raft
