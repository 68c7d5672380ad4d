#include "storage/rocksdb/message_codec.hpp"

#include <algorithm>

#include "storage/codec.hpp"

namespace sluice::storage {

namespace {

constexpr uint8_t message_format = 1;
constexpr uint8_t state_format = 1;

void put_queue(encoder& e, std::string_view queue_id) {
  // Ids are generated as 32 hex chars; pack them into 16 bytes.
  for (size_t i = 0; i + 1 < queue_id.size() && i < 2 * queue_key_bytes; i += 2)
    e.u8(static_cast<uint8_t>(std::max(0, hex_digit(queue_id[i])) * 16
                              + std::max(0, hex_digit(queue_id[i + 1]))));
}

} // namespace

std::string message_key(std::string_view queue_id, uint16_t shard, uint64_t seq) {
  encoder e;
  put_queue(e, queue_id);
  return e.u16(shard).u64(seq).take();
}

std::string shard_prefix(std::string_view queue_id, uint16_t shard) {
  encoder e;
  put_queue(e, queue_id);
  return e.u16(shard).take();
}

std::string queue_messages_prefix(std::string_view queue_id) {
  encoder e;
  put_queue(e, queue_id);
  return e.take();
}

uint64_t seq_of_key(std::string_view key) {
  if (key.size() != queue_key_bytes + 2 + 8)
    return 0;
  decoder in{key.substr(queue_key_bytes + 2)};
  return in.u64();
}

std::string encode(const stored_message& x) {
  return encoder{}
      .u8(message_format)
      .i64(x.timestamp_ms)
      .u8(static_cast<uint8_t>(x.type))
      .raw(x.body)
      .take();
}

std::optional<stored_message> decode_message(std::string_view bytes) {
  decoder in{bytes};
  if (in.u8() != message_format)
    return std::nullopt;
  stored_message x;
  x.timestamp_ms = in.i64();
  auto t = in.u8();
  if (!in.ok() || t > static_cast<uint8_t>(content_type::bytes))
    return std::nullopt;
  x.type = static_cast<content_type>(t);
  x.body = std::string{bytes.substr(1 + 8 + 1)};
  return x;
}

std::string encode(const delivery_state& x) {
  return encoder{}.u8(state_format).u32(x.attempts).i64(x.visible_at_ms).u8(x.pushed).take();
}

std::optional<delivery_state> decode_state(std::string_view bytes) {
  decoder in{bytes};
  if (in.u8() != state_format)
    return std::nullopt;
  delivery_state x;
  x.attempts = in.u32();
  x.visible_at_ms = in.i64();
  // Records written before the flag existed end here.
  x.pushed = !in.at_end() && in.u8() != 0;
  if (!in.ok())
    return std::nullopt;
  return x;
}

std::string prefix_end(std::string prefix) {
  while (!prefix.empty()) {
    auto& c = prefix.back();
    if (static_cast<uint8_t>(c) != 0xFF) {
      c = static_cast<char>(static_cast<uint8_t>(c) + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix; // all 0xFF: no upper bound exists; empty means "end"
}

} // namespace sluice::storage
