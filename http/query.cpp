#include "http/query.hpp"

#include "storage/codec.hpp"

namespace sluice::http {

namespace {

std::string decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && storage::hex_digit(s[i + 1]) >= 0
               && storage::hex_digit(s[i + 2]) >= 0) {
      out.push_back(
          static_cast<char>(storage::hex_digit(s[i + 1]) * 16 + storage::hex_digit(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

} // namespace

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t i = 0;
  while (i < query.size()) {
    auto j = query.find('&', i);
    if (j == std::string_view::npos)
      j = query.size();
    auto part = query.substr(i, j - i);
    if (!part.empty()) {
      auto eq = part.find('=');
      if (eq == std::string_view::npos)
        out.emplace_back(decode(part), std::string{});
      else
        out.emplace_back(decode(part.substr(0, eq)), decode(part.substr(eq + 1)));
    }
    i = j + 1;
  }
  return out;
}

std::string query_value(std::string_view query, std::string_view key, bool* found) {
  for (auto& [k, v] : parse_query(query))
    if (k == key) {
      if (found != nullptr)
        *found = true;
      return v;
    }
  if (found != nullptr)
    *found = false;
  return {};
}

} // namespace sluice::http
