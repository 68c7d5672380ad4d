#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/envelope.hpp"

namespace sluice::http {

/// `page` / `per_page` from a query string. Without either, a list answers
/// everything on one page; with either, `page` defaults to 1 and `per_page`
/// to 100 (at most 1000). Pages past the end are empty.
struct paging {
  uint64_t page = 1;
  uint64_t per_page = 0; ///< 0: everything
};

inline constexpr uint64_t default_per_page = 100;
inline constexpr uint64_t max_per_page = 1000;

/// Returns an error text naming the bad parameter, or empty.
std::string parse_paging(std::string_view query, paging& out);

/// The [begin, end) index range of `p` over `total` items, and its info.
page_info page_of(const paging& p, uint64_t total, uint64_t& begin, uint64_t& end);

} // namespace sluice::http
