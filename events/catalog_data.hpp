#pragma once

#include <string_view>
#include <vector>

namespace sluice::events::detail {

/// One catalog file compiled into the binary.
struct embedded_file {
  /// File name inside events/catalog/, e.g. "r2.json"; used in error messages.
  std::string_view name;
  /// The file's bytes; static storage, valid for the life of the program.
  std::string_view text;
};

/// Every events/catalog/*.json file, sorted by name. Defined in the source that
/// cmake/embed_files.cmake generates at build time. Thread-safe.
std::vector<embedded_file> embedded_catalog();

} // namespace sluice::events::detail
