#include "http/permissions.hpp"

namespace sluice::http {

std::string_view name_of_permission(uint32_t bit) {
  for (const auto& p : permission_names)
    if (p.bit == bit)
      return p.name;
  return "admin";
}

uint32_t permission_of_name(std::string_view name) {
  for (const auto& p : permission_names)
    if (p.name == name)
      return p.bit;
  return 0;
}

} // namespace sluice::http
