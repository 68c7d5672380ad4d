#include "storage/raft/outcome.hpp"

namespace sluice::storage::raft {

const char* to_string(raft_errc code) {
  switch (code) {
    case raft_errc::ok:
      return "ok";
    case raft_errc::not_leader:
      return "not_leader";
    case raft_errc::leadership_lost:
      return "leadership_lost";
    case raft_errc::shutting_down:
      return "shutting_down";
    case raft_errc::busy:
      return "busy";
    case raft_errc::invalid:
      return "invalid";
    case raft_errc::io_error:
      return "io_error";
  }
  return "unknown";
}

} // namespace sluice::storage::raft
