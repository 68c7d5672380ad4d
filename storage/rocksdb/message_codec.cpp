#include "storage/rocksdb/message_codec.hpp"

#include <algorithm>

#include "storage/codec.hpp"

namespace sluice::storage {

namespace {

// Format 1: a message sent to its queue (header, then the body). Format 2
// adds, before the body, the id it kept and where it was dead-lettered from;
// written only for such messages, so the common record stays as it was.
constexpr uint8_t message_format = 1;
constexpr uint8_t message_format_kept = 2;
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
  e.reserve(message_key_bytes);
  put_queue(e, queue_id);
  return e.u16(shard).u64(seq).take();
}

std::string message_key_in(std::string_view shard_prefix, uint64_t seq) {
  encoder e;
  return e.reserve(shard_prefix.size() + 8).raw(shard_prefix).u64(seq).take();
}

std::string shard_prefix(std::string_view queue_id, uint16_t shard) {
  encoder e;
  e.reserve(shard_prefix_bytes);
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
  bool kept = !x.id.empty() || x.dead_letter;
  encoder e;
  e.reserve(stored_message_header_bytes + x.body.size() + (kept ? 64 + x.id.size() : 0));
  e.u8(kept ? message_format_kept : message_format)
      .i64(x.timestamp_ms)
      .u8(static_cast<uint8_t>(x.type));
  if (kept) {
    e.str(x.id).u8(x.dead_letter ? 1 : 0);
    if (const auto& d = x.dead_letter) {
      e.str(d->queue_id).str(d->queue_name).str(d->consumer_id).str(d->reason).str(d->last_error);
      e.u32(d->attempts).i64(d->dead_lettered_ms);
    }
  }
  return e.raw(x.body).take();
}

namespace {

/// Reads a message's fields up to its body into `x`; `in` is left at the body.
bool decode_head(decoder& in, stored_message& x) {
  auto format = in.u8();
  if (format != message_format && format != message_format_kept)
    return false;
  x.timestamp_ms = in.i64();
  auto t = in.u8();
  if (!in.ok() || t > static_cast<uint8_t>(content_type::bytes))
    return false;
  x.type = static_cast<content_type>(t);
  if (format == message_format_kept) {
    x.id = in.str();
    if (in.u8() != 0) {
      dead_letter_origin d;
      d.queue_id = in.str();
      d.queue_name = in.str();
      d.consumer_id = in.str();
      d.reason = in.str();
      d.last_error = in.str();
      d.attempts = in.u32();
      d.dead_lettered_ms = in.i64();
      x.dead_letter = std::move(d);
    }
  }
  return in.ok();
}

} // namespace

std::optional<stored_message> decode_message(std::string_view bytes) {
  decoder in{bytes};
  stored_message x;
  if (!decode_head(in, x))
    return std::nullopt;
  x.body = std::string{in.rest()};
  return x;
}

size_t stored_body_bytes(std::string_view bytes) {
  if (!bytes.empty() && static_cast<uint8_t>(bytes[0]) == message_format)
    return bytes.size() < stored_message_header_bytes ? 0
                                                      : bytes.size() - stored_message_header_bytes;
  decoder in{bytes};
  stored_message head;
  return decode_head(in, head) ? in.rest().size() : 0;
}

std::string encode(const delivery_state& x) {
  encoder e;
  e.u8(state_format).u32(x.attempts).i64(x.visible_at_ms).u8(x.pushed);
  if (!x.last_error.empty())
    e.str(x.last_error);
  return e.take();
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
  // So do those without an error (and all written before errors were kept).
  if (!in.at_end())
    x.last_error = in.str();
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
