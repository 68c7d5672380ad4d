#pragma once

#include <cstdint>
#include <string_view>

namespace sluice::http {

/// The wire names of token permissions (SPEC §2), one table for parsing and
/// rendering.
struct permission_name {
  uint32_t bit;
  std::string_view name;
};

inline constexpr permission_name permission_names[] = {
    {1u << 0, "queues_read"},
    {1u << 1, "queues_write"},
    {1u << 2, "events_publish"},
    {1u << 3, "admin"},
};

/// The name of a single permission bit ("admin" for anything unknown).
std::string_view name_of_permission(uint32_t bit);

/// The bit of a permission name, or 0 if there is no such permission.
uint32_t permission_of_name(std::string_view name);

} // namespace sluice::http
