#include "storage/rocksdb/record_codec.hpp"

#include <cstdio>

#include "storage/codec.hpp"

namespace sluice::storage {

namespace {

// Every record starts with a format version so a later release can read
// what this one wrote.
constexpr uint8_t queue_format = 1;
constexpr uint8_t token_format = 1;
constexpr uint8_t consumer_format = 1;
constexpr uint8_t subscription_format = 1;
constexpr uint8_t script_format = 1;
constexpr uint8_t audit_format = 1;

} // namespace

std::string queue_key(std::string_view account, std::string_view id) {
  return encoder{}.raw(queue_prefix).raw(account).raw("/").raw(id).take();
}

std::string consumer_key(std::string_view account, std::string_view queue_id, uint16_t slot) {
  encoder e;
  e.raw(consumer_prefix).raw(account).raw("/").raw(queue_id);
  if (slot != 0)
    e.raw(".").raw(std::to_string(slot));
  return e.take();
}

bool parse_consumer_key(std::string_view key, std::string& account, std::string& queue_id) {
  if (key.substr(0, consumer_prefix.size()) != consumer_prefix)
    return false;
  key.remove_prefix(consumer_prefix.size());
  auto slash = key.rfind('/');
  if (slash == std::string_view::npos)
    return false;
  account = std::string{key.substr(0, slash)};
  queue_id = std::string{key.substr(slash + 1)};
  if (auto dot = queue_id.find('.'); dot != std::string::npos)
    queue_id.resize(dot); // a slot's key: the slot is in the record
  return true;
}

std::string encode(const consumer_record& x) {
  return encoder{}
      .u8(consumer_format)
      .str(x.id)
      .str(consumer_type_name(x.type))
      .str(x.script_name)
      .str(x.dead_letter_queue)
      .i64(x.created_ms)
      .u32(x.batch_size)
      .u32(x.max_retries)
      .u32(x.retry_delay)
      .u32(x.visibility_timeout_ms)
      .u32(x.max_wait_time_ms)
      .u32(x.max_concurrency)
      .u16(x.slot)
      .take();
}

std::optional<consumer_record> decode_consumer(std::string_view bytes) {
  decoder in{bytes};
  if (in.u8() != consumer_format)
    return std::nullopt;
  consumer_record x;
  x.id = in.str();
  if (!parse_consumer_type(in.str(), x.type))
    return std::nullopt;
  x.script_name = in.str();
  x.dead_letter_queue = in.str();
  x.created_ms = in.i64();
  x.batch_size = in.u32();
  x.max_retries = in.u32();
  x.retry_delay = in.u32();
  x.visibility_timeout_ms = in.u32();
  x.max_wait_time_ms = in.u32();
  x.max_concurrency = in.u32();
  // Records written before fan-out end here: slot 0.
  if (!in.at_end())
    x.slot = in.u16();
  if (!in.ok())
    return std::nullopt;
  return x;
}

std::string token_key(std::string_view hash) {
  return encoder{}.raw(token_prefix).raw(hash).take();
}

std::string encode(const queue_record& x) {
  return encoder{}
      .u8(queue_format)
      .str(x.account)
      .str(x.id)
      .str(x.name)
      .i64(x.created_ms)
      .i64(x.modified_ms)
      .u32(x.settings.delivery_delay)
      .u32(x.settings.message_retention_period)
      .u8(x.settings.delivery_paused ? 1 : 0)
      .str(x.jurisdiction)
      .u8(static_cast<uint8_t>(x.settings.mode))
      .u32(x.settings.dedup_window_seconds)
      .take();
}

std::optional<queue_record> decode_queue(std::string_view bytes) {
  decoder in{bytes};
  if (in.u8() != queue_format)
    return std::nullopt;
  queue_record x;
  x.account = in.str();
  x.id = in.str();
  x.name = in.str();
  x.created_ms = in.i64();
  x.modified_ms = in.i64();
  x.settings.delivery_delay = in.u32();
  x.settings.message_retention_period = in.u32();
  x.settings.delivery_paused = in.u8() != 0;
  // Records written before jurisdictions existed end here.
  if (!in.at_end())
    x.jurisdiction = in.str();
  // ... or here, before fan-out: single.
  if (!in.at_end() && in.u8() == static_cast<uint8_t>(consumer_mode::multi))
    x.settings.mode = consumer_mode::multi;
  // ... or here, before dedup windows: the default window.
  if (!in.at_end())
    x.settings.dedup_window_seconds = in.u32();
  if (!in.ok())
    return std::nullopt;
  return x;
}

std::string encode(const token_record& x) {
  return encoder{}
      .u8(token_format)
      .str(x.id)
      .str(x.hash)
      .str(x.account)
      .u32(x.permissions)
      .str(x.name)
      .i64(x.created_ms)
      .take();
}

std::optional<token_record> decode_token(std::string_view bytes) {
  decoder in{bytes};
  if (in.u8() != token_format)
    return std::nullopt;
  token_record x;
  x.id = in.str();
  x.hash = in.str();
  x.account = in.str();
  x.permissions = in.u32();
  x.name = in.str();
  x.created_ms = in.i64();
  if (!in.ok())
    return std::nullopt;
  return x;
}

std::string subscription_key(std::string_view account, std::string_view id) {
  return encoder{}.raw(subscription_prefix).raw(account).raw("/").raw(id).take();
}

std::string encode(const subscription_record& x) {
  encoder e;
  e.u8(subscription_format).str(x.account).str(x.id).str(x.name).str(x.source_type);
  e.u32(static_cast<uint32_t>(x.source_fields.size()));
  for (const auto& [k, v] : x.source_fields)
    e.str(k).str(v);
  e.u32(static_cast<uint32_t>(x.events.size()));
  for (const auto& ev : x.events)
    e.str(ev);
  return e.str(x.queue_id).u8(x.enabled ? 1 : 0).i64(x.created_ms).i64(x.modified_ms).take();
}

std::optional<subscription_record> decode_subscription(std::string_view bytes) {
  decoder in{bytes};
  if (in.u8() != subscription_format)
    return std::nullopt;
  subscription_record x;
  x.account = in.str();
  x.id = in.str();
  x.name = in.str();
  x.source_type = in.str();
  for (auto n = in.u32(); n > 0 && in.ok(); --n) {
    auto k = in.str();
    x.source_fields.emplace_back(std::move(k), in.str());
  }
  for (auto n = in.u32(); n > 0 && in.ok(); --n)
    x.events.push_back(in.str());
  x.queue_id = in.str();
  x.enabled = in.u8() != 0;
  x.created_ms = in.i64();
  x.modified_ms = in.i64();
  if (!in.ok())
    return std::nullopt;
  return x;
}

std::string script_key(std::string_view account, std::string_view name) {
  return encoder{}.raw(script_prefix).raw(account).raw("/").raw(name).take();
}

std::string encode(const script_record& x) {
  encoder e;
  e.u8(script_format).str(x.account).str(x.name).str(x.plugin);
  e.u32(static_cast<uint32_t>(x.env.size()));
  for (const auto& [k, v] : x.env)
    e.str(k).str(v);
  return e.i64(x.created_ms).i64(x.modified_ms).take();
}

std::optional<script_record> decode_script(std::string_view bytes) {
  decoder in{bytes};
  if (in.u8() != script_format)
    return std::nullopt;
  script_record x;
  x.account = in.str();
  x.name = in.str();
  x.plugin = in.str();
  for (auto n = in.u32(); n > 0 && in.ok(); --n) {
    auto k = in.str();
    x.env.emplace_back(std::move(k), in.str());
  }
  x.created_ms = in.i64();
  x.modified_ms = in.i64();
  if (!in.ok())
    return std::nullopt;
  return x;
}

std::string audit_key(std::string_view account, uint64_t seq) {
  char digits[21];
  std::snprintf(digits, sizeof(digits), "%020llu", static_cast<unsigned long long>(seq));
  return encoder{}.raw(audit_prefix).raw(account).raw("/").raw(digits).take();
}

std::string encode(const audit_record& x) {
  encoder e;
  e.u8(audit_format).u64(x.seq).i64(x.time_ms).str(x.account).str(x.caller).str(x.action);
  e.str(x.resource_type).str(x.resource_id).str(x.resource_name);
  e.u32(static_cast<uint32_t>(x.details.size()));
  for (const auto& [k, v] : x.details)
    e.str(k).str(v);
  return e.take();
}

std::optional<audit_record> decode_audit(std::string_view bytes) {
  decoder in{bytes};
  if (in.u8() != audit_format)
    return std::nullopt;
  audit_record x;
  x.seq = in.u64();
  x.time_ms = in.i64();
  x.account = in.str();
  x.caller = in.str();
  x.action = in.str();
  x.resource_type = in.str();
  x.resource_id = in.str();
  x.resource_name = in.str();
  for (auto n = in.u32(); n > 0 && in.ok(); --n) {
    auto k = in.str();
    x.details.emplace_back(std::move(k), in.str());
  }
  if (!in.ok() || !in.at_end())
    return std::nullopt;
  return x;
}

} // namespace sluice::storage
