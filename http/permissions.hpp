#pragma once

#include <cstdint>
#include <string_view>

#include "storage/records.hpp"

namespace sluice::http {

/// The wire names of token permissions (docs/api.md), one table for parsing and
/// rendering (kept beside the bits in storage/records.hpp).
using storage::permission_name;
using storage::permission_names;

/// The name of a single permission bit ("admin" for anything unknown).
std::string_view name_of_permission(uint32_t bit);

/// The bit of a permission name, or 0 if there is no such permission.
uint32_t permission_of_name(std::string_view name);

} // namespace sluice::http
