#include "examples/plugins/builtin/message_json.hpp"

#include "actors/crypto.hpp"
#include "events/envelope.hpp"

namespace sluice::builtin {

void append_json_key(std::string& out, std::string_view name) {
  events::append_json_string(out, name);
  out += ':';
}

void append_message_members(std::string& out, const Message& message) {
  append_json_key(out, "id");
  events::append_json_string(out, message.id());
  out += ',';
  append_json_key(out, "timestamp_ms");
  out += std::to_string(message.timestamp_ms());
  out += ',';
  append_json_key(out, "attempts");
  out += std::to_string(message.attempts());
  out += ',';
  append_json_key(out, "content_type");
  events::append_json_string(out, message.content_type());
  out += ',';
  append_json_key(out, "body");
  // The same rule as http/message_json.cpp's write_pulled: only text travels raw.
  if (message.content_type() == "text")
    events::append_json_string(out, message.body());
  else
    events::append_json_string(out, base64_encode(message.body()));
}

} // namespace sluice::builtin
