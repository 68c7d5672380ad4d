#include "actors/control/logfmt.hpp"

#include "events/envelope.hpp"

namespace sluice {

namespace {

bool needs_quotes(std::string_view v) {
  if (v.empty())
    return true;
  for (unsigned char c : v)
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f)
      return true;
  return false;
}

} // namespace

std::string logfmt_value(std::string_view value) {
  if (!needs_quotes(value))
    return std::string{value};
  // A JSON string is a valid logfmt quoted value (Go's strconv.Unquote, which
  // logfmt parsers use, reads every JSON escape).
  std::string out;
  out.reserve(value.size() + 2);
  events::append_json_string(out, value);
  return out;
}

std::string logfmt_key(std::string_view key) {
  if (key.empty())
    return "_";
  std::string out{key};
  for (auto& c : out) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
              || c == '.' || c == '-';
    if (!ok)
      c = '_';
  }
  return out;
}

} // namespace sluice
