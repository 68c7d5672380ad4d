#pragma once

#include <string_view>
#include <vector>

namespace sluice::http::console {

/// One web console asset compiled into the binary.
struct embedded_file {
  /// File name inside http/console/, e.g. "console.js".
  std::string_view name;
  /// The file's bytes; static storage, valid for the life of the program.
  std::string_view text;
};

/// Every http/console/* file, sorted by name. Defined in the source that
/// cmake/embed_files.cmake generates at build time. Thread-safe.
std::vector<embedded_file> embedded_assets();

} // namespace sluice::http::console
