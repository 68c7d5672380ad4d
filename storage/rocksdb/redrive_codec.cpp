#include "storage/rocksdb/redrive_codec.hpp"

#include "storage/codec.hpp"

namespace sluice::storage {

namespace {

constexpr uint8_t redrive_format = 1;

} // namespace

std::string redrive_key(std::string_view account, std::string_view source_queue_id) {
  return encoder{}.raw(redrive_prefix).raw(account).raw("/").raw(source_queue_id).take();
}

std::string encode(const redrive_record& x) {
  return encoder{}
      .u8(redrive_format)
      .str(x.account)
      .str(x.id)
      .str(x.source_queue_id)
      .str(x.destination_queue_id)
      .u32(x.max_per_second)
      .u8(static_cast<uint8_t>(x.state))
      .u64(x.to_move)
      .u64(x.moved)
      .i64(x.started_ms)
      .i64(x.finished_ms)
      .str(x.failure_reason)
      .take();
}

std::optional<redrive_record> decode_redrive(std::string_view bytes) {
  decoder in{bytes};
  if (in.u8() != redrive_format)
    return std::nullopt;
  redrive_record x;
  x.account = in.str();
  x.id = in.str();
  x.source_queue_id = in.str();
  x.destination_queue_id = in.str();
  x.max_per_second = in.u32();
  auto state = in.u8();
  if (state > static_cast<uint8_t>(redrive_state::failed))
    return std::nullopt;
  x.state = static_cast<redrive_state>(state);
  x.to_move = in.u64();
  x.moved = in.u64();
  x.started_ms = in.i64();
  x.finished_ms = in.i64();
  x.failure_reason = in.str();
  if (!in.ok() || !in.at_end())
    return std::nullopt;
  return x;
}

} // namespace sluice::storage
