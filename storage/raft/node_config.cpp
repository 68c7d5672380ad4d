#include "storage/raft/node_config.hpp"

namespace sluice::storage::raft {

const char* to_string(node_role role) {
  switch (role) {
    case node_role::unavailable:
      return "unavailable";
    case node_role::follower:
      return "follower";
    case node_role::candidate:
      return "candidate";
    case node_role::leader:
      return "leader";
  }
  return "unknown";
}

} // namespace sluice::storage::raft
