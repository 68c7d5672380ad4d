#include "events/envelope.hpp"

namespace sluice::events {

void append_json_string(std::string& out, std::string_view s) {
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
