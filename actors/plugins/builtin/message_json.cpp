#include "actors/plugins/builtin/message_json.hpp"

#include "actors/control/crypto.hpp"

namespace sluice::builtin {

void write_message_members(http::json_writer& w, const Message& message) {
  w.key("id")
      .value(message.id())
      .key("timestamp_ms")
      .value(int64_t{message.timestamp_ms()})
      .key("attempts")
      .value(uint32_t{message.attempts()})
      .key("content_type")
      .value(message.content_type())
      .key("body");
  // The same rule as http/message_json.cpp's write_pulled: only text travels raw.
  if (message.content_type() == "text")
    w.value(message.body());
  else
    w.value(base64_encode(message.body()));
}

} // namespace sluice::builtin
