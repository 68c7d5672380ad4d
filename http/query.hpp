#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::http {

/// The decoded `key=value` pairs of a query string, in order ('+' is a space,
/// %XX escapes are decoded; a malformed escape is kept literally).
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

/// The value of the first `key`, or empty. `found` tells absent from empty.
std::string query_value(std::string_view query, std::string_view key, bool* found = nullptr);

} // namespace sluice::http
