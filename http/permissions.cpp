#include "http/permissions.hpp"

#include "storage/records.hpp"

namespace sluice::http {

static_assert(permission_names[0].bit == storage::perm_queues_read);
static_assert(permission_names[1].bit == storage::perm_queues_write);
static_assert(permission_names[2].bit == storage::perm_events_publish);
static_assert(permission_names[3].bit == storage::perm_admin);

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
