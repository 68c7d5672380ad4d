#include "http/query.hpp"

namespace sluice::http {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::string decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0
               && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
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
