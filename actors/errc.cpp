#include "actors/errc.hpp"

#include <caf/sec.hpp>

#include "storage/result.hpp"

namespace sluice {

caf::error storage_error(uint8_t store_code, const std::string& what, const std::string& detail) {
  const auto code = static_cast<storage::store_errc>(store_code);
  // Cluster mode: the message of a `not_leader` error names the leader.
  if (code == storage::store_errc::not_leader)
    return make_error(errc::unavailable,
                      what + ": " + detail + "; retry (any node forwards to the leader)");
  if (code == storage::store_errc::unknown_outcome)
    return make_error(errc::unavailable,
                      what
                          + ": leadership moved while the write was being replicated, so "
                            "it may or may not have been stored ("
                          + detail + "); retry");
  if (code == storage::store_errc::no_space)
    return make_error(errc::storage_full, what + ": the data directory's disk is full (" + detail
                                              + "); free space on it and retry");
  return make_error(errc::storage_failure, what + ": " + detail);
}

caf::error queue_not_found(const std::string& id) {
  return make_error(errc::queue_not_found, "queue '" + id + "' does not exist in this account");
}

std::string error_message(const caf::error& e) {
  if (e.category() == errc_category && e.context().match_elements<std::string>())
    return e.context().get_as<std::string>(0);
  if (e.category() == caf::atom("system")) {
    if (static_cast<caf::sec>(e.code()) == caf::sec::request_timeout)
      return "the hub did not answer in time; retry the request";
    return "the hub is shutting down or restarting a component; retry the request";
  }
  return "internal error";
}

errc error_code(const caf::error& e) {
  if (e.category() == errc_category)
    return static_cast<errc>(e.code());
  if (e.category() == caf::atom("system")
      && static_cast<caf::sec>(e.code()) == caf::sec::request_timeout)
    return errc::timeout;
  return errc::overloaded;
}

} // namespace sluice
