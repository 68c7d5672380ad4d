#pragma once

#include "storage/raft/c_api.hpp"
#include "storage/raft/node_config.hpp"
#include "storage/raft/outcome.hpp"

/// Translations between raft's C codes (roles, states, error numbers) and
/// the engine's own types, and the engine's texts for refusals.

namespace sluice::storage::raft {

/// RAFT_VOTER, RAFT_STANDBY or RAFT_SPARE.
int to_raft_role(member_role role);
/// The role of a raft_server (unknown codes read as spare).
member_role from_raft_role(int role);
/// The role of a node in raft state `state` (RAFT_FOLLOWER, …).
node_role from_raft_state(int state);
/// The `raft_errc` of a raft error number (0: ok).
raft_errc from_raft_code(int rv);

/// What a refused write says on a follower or candidate.
inline constexpr const char* not_leader_text =
    "this node is not the raft leader; nothing was written";
/// What a write refused by a stopping node says.
inline constexpr const char* shutting_down_text =
    "the raft node is shutting down; nothing was written";

} // namespace sluice::storage::raft
