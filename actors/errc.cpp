#include "actors/errc.hpp"

#include <caf/sec.hpp>

namespace sluice {

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
