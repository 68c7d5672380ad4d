#include "events/envelope.hpp"

#include <algorithm>

#include <simdjson.h>

namespace sluice::events {

namespace {

/// Length of the UTF-8 sequence that lead byte `u` announces (1 for anything
/// that is not a valid lead byte, which the caller then replaces).
size_t sequence_length(unsigned char u) {
  if (u >= 0xf0)
    return 4;
  if (u >= 0xe0)
    return 3;
  if (u >= 0xc0)
    return 2;
  return 1;
}

/// `s` with every byte that is not part of a valid UTF-8 sequence replaced by
/// U+FFFD, so that JSON built from it is valid (paths, headers and other
/// bytes a client sent).
std::string replace_invalid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    auto n = std::min(sequence_length(static_cast<unsigned char>(s[i])), s.size() - i);
    if (simdjson::validate_utf8(s.data() + i, n)) {
      out.append(s.data() + i, n);
      i += n;
    } else {
      out += "\xef\xbf\xbd"; // U+FFFD REPLACEMENT CHARACTER
      i += 1;
    }
  }
  return out;
}

} // namespace

void append_json_string(std::string& out, std::string_view s) {
  std::string valid;
  if (!simdjson::validate_utf8(s.data(), s.size())) {
    valid = replace_invalid_utf8(s);
    s = valid;
  }
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out.push_back(hex[u >> 4]);
          out.push_back(hex[u & 0xf]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

std::string camel_case(std::string_view snake) {
  std::string out;
  out.reserve(snake.size());
  bool upper_next = false;
  for (char c : snake) {
    if (c == '_') {
      upper_next = true;
      continue;
    }
    if (upper_next && c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
    upper_next = false;
    out.push_back(c);
  }
  return out;
}

std::string envelope_json(const envelope_fields& f) {
  std::string out;
  out.reserve(256 + f.payload_json.size());
  out += "{\"type\":";
  append_json_string(out, "cf." + f.source_type + "." + f.event);
  out += ",\"source\":{\"type\":";
  append_json_string(out, f.source_type);
  for (const auto& [key, value] : f.source_fields) {
    out.push_back(',');
    append_json_string(out, key);
    out.push_back(':');
    append_json_string(out, value);
  }
  out += "},\"payload\":";
  out += f.payload_json.empty() ? std::string_view{"{}"} : std::string_view{f.payload_json};
  out += ",\"metadata\":{\"accountId\":";
  append_json_string(out, f.account_id);
  out += ",\"eventSubscriptionId\":";
  append_json_string(out, f.subscription_id);
  out += ",\"eventSchemaVersion\":";
  out += std::to_string(f.schema_version);
  out += ",\"eventTimestamp\":";
  append_json_string(out, f.event_timestamp);
  out += "},\"id\":";
  append_json_string(out, f.event_id);
  out.push_back('}');
  return out;
}

} // namespace sluice::events
