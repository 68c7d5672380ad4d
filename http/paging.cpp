#include "http/paging.hpp"

#include <algorithm>
#include <charconv>

#include "http/query.hpp"

namespace sluice::http {

namespace {

/// Parses a positive integer parameter; empty error text on success.
std::string positive(std::string_view name, const std::string& text, uint64_t& out) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr != text.data() + text.size() || v == 0)
    return std::string{name} + " must be a positive integer, got '" + text + "'";
  out = v;
  return {};
}

} // namespace

std::string parse_paging(std::string_view query, paging& out) {
  bool has_page = false;
  bool has_per_page = false;
  auto page = query_value(query, "page", &has_page);
  auto per_page = query_value(query, "per_page", &has_per_page);
  if (!has_page && !has_per_page)
    return {};
  out.per_page = default_per_page;
  if (has_page)
    if (auto err = positive("page", page, out.page); !err.empty())
      return err;
  if (has_per_page) {
    if (auto err = positive("per_page", per_page, out.per_page); !err.empty())
      return err;
    if (out.per_page > max_per_page)
      return "per_page must be at most " + std::to_string(max_per_page);
  }
  return {};
}

page_info page_of(const paging& p, uint64_t total, uint64_t& begin, uint64_t& end) {
  if (p.per_page == 0) {
    begin = 0;
    end = total;
    return {1, total, total, total};
  }
  begin = (p.page - 1) > total / p.per_page ? total : std::min(total, (p.page - 1) * p.per_page);
  end = std::min(total, begin + p.per_page);
  return {p.page, p.per_page, end - begin, total};
}

} // namespace sluice::http
