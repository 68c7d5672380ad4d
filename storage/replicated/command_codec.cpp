#include "storage/replicated/command_codec.hpp"

#include <type_traits>
#include <utility>
#include <vector>

#include "storage/codec.hpp"

namespace sluice::storage {

namespace {

// --- the field lists ------------------------------------------------------
// One list per struct, used to write and to read it. Append new fields at
// the end only (older bytes then read them as defaults); never reorder.

template <class Ar>
void fields(Ar& ar, dead_letter_origin& x) {
  ar(x.queue_id, x.queue_name, x.consumer_id, x.reason, x.last_error, x.attempts,
     x.dead_lettered_ms);
}
template <class Ar>
void fields(Ar& ar, stored_message& x) {
  ar(x.timestamp_ms, x.type, x.body, x.id, x.dead_letter);
}
template <class Ar>
void fields(Ar& ar, delivery_state& x) {
  ar(x.attempts, x.visible_at_ms, x.pushed, x.last_error);
}
template <class Ar>
void fields(Ar& ar, new_message& x) {
  ar(x.seq, x.message, x.visible_at_ms);
}
template <class Ar>
void fields(Ar& ar, append_messages& x) {
  ar(x.messages, x.dedup);
}
template <class Ar>
void fields(Ar& ar, dedup_entry& x) {
  ar(x.dedup_id, x.message_id, x.expires_ms);
}
template <class Ar>
void fields(Ar& ar, dedup_key& x) {
  ar(x.dedup_id, x.expires_ms);
}
template <class Ar>
void fields(Ar& ar, erase_dedup& x) {
  ar(x.keys);
}
template <class Ar>
void fields(Ar& ar, state_change& x) {
  ar(x.seq, x.state);
}
template <class Ar>
void fields(Ar& ar, lease_messages& x) {
  ar(x.leases);
}
template <class Ar>
void fields(Ar& ar, settle_messages& x) {
  ar(x.acked, x.retried, x.dead_lettered);
}
template <class Ar>
void fields(Ar& ar, delete_messages& x) {
  ar(x.seqs);
}
template <class Ar>
void fields(Ar& ar, expire_messages& x) {
  ar(x.seqs);
}
template <class Ar>
void fields(Ar& ar, purge_messages& x) {
  ar(x.seqs, x.cold_from, x.cold_below);
}
template <class Ar>
void fields(Ar& ar, queue_settings& x) {
  ar(x.delivery_delay, x.message_retention_period, x.delivery_paused, x.mode,
     x.dedup_window_seconds);
}
template <class Ar>
void fields(Ar& ar, consumer_record& x) {
  ar(x.id, x.type, x.script_name, x.dead_letter_queue, x.created_ms, x.batch_size, x.max_retries,
     x.retry_delay, x.visibility_timeout_ms, x.max_wait_time_ms, x.max_concurrency, x.slot);
}
template <class Ar>
void fields(Ar& ar, queue_record& x) {
  ar(x.account, x.id, x.name, x.created_ms, x.modified_ms, x.settings, x.consumers, x.jurisdiction);
}
template <class Ar>
void fields(Ar& ar, token_record& x) {
  ar(x.id, x.hash, x.account, x.permissions, x.name, x.created_ms);
}
template <class Ar>
void fields(Ar& ar, subscription_record& x) {
  ar(x.account, x.id, x.name, x.source_type, x.source_fields, x.events, x.queue_id, x.enabled,
     x.created_ms, x.modified_ms);
}
template <class Ar>
void fields(Ar& ar, script_record& x) {
  ar(x.account, x.name, x.plugin, x.env, x.created_ms, x.modified_ms);
}
template <class Ar>
void fields(Ar& ar, audit_record& x) {
  ar(x.seq, x.time_ms, x.account, x.caller, x.action, x.resource_type, x.resource_id,
     x.resource_name, x.details);
}
template <class Ar>
void fields(Ar& ar, queue_ref& x) {
  ar(x.account, x.id);
}
template <class Ar>
void fields(Ar& ar, consumer_ref& x) {
  ar(x.account, x.queue_id, x.slot); // a queue_ref's bytes read as slot 0
}
template <class Ar>
void fields(Ar& ar, redrive_record& x) {
  ar(x.account, x.id, x.source_queue_id, x.destination_queue_id, x.max_per_second, x.state,
     x.to_move, x.moved, x.started_ms, x.finished_ms, x.failure_reason);
}
template <class Ar>
void fields(Ar& ar, consumer_put& x) {
  ar(x.account, x.queue_id, x.consumer);
}
template <class Ar>
void fields(Ar& ar, named_ref& x) {
  ar(x.account, x.name);
}
template <class Ar>
void fields(Ar& ar, audit_ref& x) {
  ar(x.account, x.seq);
}
template <class Ar>
void fields(Ar& ar, meta_change& x) {
  ar(x.put_queues, x.erase_queues, x.put_consumers, x.erase_consumers, x.put_tokens, x.erase_tokens,
     x.put_subscriptions, x.erase_subscriptions, x.put_scripts, x.erase_scripts, x.put_audit,
     x.erase_audit, x.put_redrives);
}
template <class Ar>
void fields(Ar& ar, propose_lease_secret& x) {
  ar(x.secret);
}

// --- writing --------------------------------------------------------------

struct out_archive;

void put(encoder& e, bool x) {
  e.u8(x ? 1 : 0);
}
void put(encoder& e, uint16_t x) {
  e.u16(x);
}
void put(encoder& e, consumer_mode x) {
  e.u8(static_cast<uint8_t>(x));
}
void put(encoder& e, redrive_state x) {
  e.u8(static_cast<uint8_t>(x));
}
void put(encoder& e, uint32_t x) {
  e.u32(x);
}
void put(encoder& e, uint64_t x) {
  e.u64(x);
}
void put(encoder& e, int64_t x) {
  e.i64(x);
}
void put(encoder& e, const std::string& x) {
  e.str(x);
}
void put(encoder& e, content_type x) {
  e.u8(static_cast<uint8_t>(x));
}
void put(encoder& e, consumer_type x) {
  e.u8(static_cast<uint8_t>(x));
}
template <class T>
void put(encoder& e, const std::vector<T>& xs);
template <class T>
void put(encoder& e, const std::optional<T>& x);
void put(encoder& e, const std::pair<std::string, std::string>& x);
template <class T, class = decltype(fields(std::declval<out_archive&>(), std::declval<T&>()))>
void put(encoder& e, const T& x);

struct out_archive {
  encoder& e;
  template <class... Ts>
  void operator()(const Ts&... xs) {
    (put(e, xs), ...);
  }
};

template <class T>
void put(encoder& e, const std::vector<T>& xs) {
  e.u32(static_cast<uint32_t>(xs.size()));
  for (const auto& x : xs)
    put(e, x);
}

template <class T>
void put(encoder& e, const std::optional<T>& x) {
  e.u8(x ? 1 : 0);
  if (x)
    put(e, *x);
}

void put(encoder& e, const std::pair<std::string, std::string>& x) {
  e.str(x.first).str(x.second);
}

/// A struct: its fields as one length-prefixed run.
template <class T, class>
void put(encoder& e, const T& x) {
  encoder inner;
  out_archive ar{inner};
  fields(ar, const_cast<T&>(x)); // the writing archive only reads
  e.str(inner.take());
}

// --- reading --------------------------------------------------------------

/// Reads fields that may be missing: once the bytes run out, every further
/// field keeps its default (it was added after the writer was built).
class field_reader {
public:
  explicit field_reader(std::string_view in) : in_(in) {}

  bool more() const { return in_.ok() && !in_.at_end(); }
  decoder& in() { return in_; }
  bool ok() const { return in_.ok() && ok_; }
  void fail() { ok_ = false; }

private:
  decoder in_;
  bool ok_ = true;
};

struct in_archive;

void get(field_reader& r, bool& x) {
  x = r.in().u8() != 0;
}
void get(field_reader& r, uint16_t& x) {
  x = r.in().u16();
}
void get(field_reader& r, consumer_mode& x) {
  x = static_cast<consumer_mode>(r.in().u8());
}
void get(field_reader& r, redrive_state& x) {
  x = static_cast<redrive_state>(r.in().u8());
}
void get(field_reader& r, uint32_t& x) {
  x = r.in().u32();
}
void get(field_reader& r, uint64_t& x) {
  x = r.in().u64();
}
void get(field_reader& r, int64_t& x) {
  x = r.in().i64();
}
void get(field_reader& r, std::string& x) {
  x = r.in().str();
}
void get(field_reader& r, content_type& x) {
  x = static_cast<content_type>(r.in().u8());
}
void get(field_reader& r, consumer_type& x) {
  x = static_cast<consumer_type>(r.in().u8());
}
template <class T>
void get(field_reader& r, std::vector<T>& xs);
template <class T>
void get(field_reader& r, std::optional<T>& x);
void get(field_reader& r, std::pair<std::string, std::string>& x);
template <class T, class = decltype(fields(std::declval<in_archive&>(), std::declval<T&>()))>
void get(field_reader& r, T& x);

struct in_archive {
  field_reader& r;
  template <class... Ts>
  void operator()(Ts&... xs) {
    ((r.more() ? get(r, xs) : void()), ...);
  }
};

template <class T>
void get(field_reader& r, std::vector<T>& xs) {
  uint32_t n = r.in().u32();
  // Every element takes at least one byte: a larger count is corruption,
  // not a reason to allocate.
  if (n > r.in().rest().size()) {
    r.fail();
    return;
  }
  xs.clear();
  xs.reserve(n);
  for (uint32_t i = 0; i < n && r.ok(); ++i)
    get(r, xs.emplace_back());
}

template <class T>
void get(field_reader& r, std::optional<T>& x) {
  if (r.in().u8() == 0) {
    x.reset();
    return;
  }
  get(r, x.emplace());
}

void get(field_reader& r, std::pair<std::string, std::string>& x) {
  x.first = r.in().str();
  x.second = r.in().str();
}

template <class T, class>
void get(field_reader& r, T& x) {
  std::string run = r.in().str();
  if (!r.ok())
    return;
  field_reader inner{run};
  in_archive ar{inner};
  fields(ar, x);
  if (!inner.ok())
    r.fail();
}

// --- commands -------------------------------------------------------------

/// The kind byte of each command. Stable: never renumber, only add.
enum class command_kind : uint8_t {
  append = 1,
  lease = 2,
  settle = 3,
  remove = 4,
  expire = 5,
  purge = 6,
  meta = 7,
  lease_secret = 8,
  erase_dedup = 9,
};

command_kind kind_of(const store_command::body_type& body) {
  struct visitor {
    command_kind operator()(const append_messages&) const { return command_kind::append; }
    command_kind operator()(const lease_messages&) const { return command_kind::lease; }
    command_kind operator()(const settle_messages&) const { return command_kind::settle; }
    command_kind operator()(const delete_messages&) const { return command_kind::remove; }
    command_kind operator()(const expire_messages&) const { return command_kind::expire; }
    command_kind operator()(const purge_messages&) const { return command_kind::purge; }
    command_kind operator()(const meta_change&) const { return command_kind::meta; }
    command_kind operator()(const propose_lease_secret&) const {
      return command_kind::lease_secret;
    }
    command_kind operator()(const erase_dedup&) const { return command_kind::erase_dedup; }
  };
  return std::visit(visitor{}, body);
}

template <class T>
std::optional<store_command> read_body(field_reader& r, store_command cmd) {
  get(r, cmd.body.emplace<T>());
  if (!r.ok())
    return std::nullopt;
  return cmd;
}

} // namespace

std::string encode_command(const store_command& cmd) {
  encoder e;
  e.u8(command_format).u8(static_cast<uint8_t>(kind_of(cmd.body)));
  if (!targets_meta(cmd))
    e.str(cmd.queue_id).u16(cmd.shard);
  std::visit([&e](const auto& body) { put(e, body); }, cmd.body);
  return e.take();
}

std::optional<store_command> decode_command(std::string_view bytes) {
  field_reader r{bytes};
  if (r.in().u8() != command_format || !r.ok())
    return std::nullopt;
  auto kind = static_cast<command_kind>(r.in().u8());
  store_command cmd;
  if (kind != command_kind::meta && kind != command_kind::lease_secret) {
    cmd.queue_id = r.in().str();
    cmd.shard = r.in().u16();
  }
  if (!r.ok())
    return std::nullopt;
  switch (kind) {
    case command_kind::append:
      return read_body<append_messages>(r, std::move(cmd));
    case command_kind::lease:
      return read_body<lease_messages>(r, std::move(cmd));
    case command_kind::settle:
      return read_body<settle_messages>(r, std::move(cmd));
    case command_kind::remove:
      return read_body<delete_messages>(r, std::move(cmd));
    case command_kind::expire:
      return read_body<expire_messages>(r, std::move(cmd));
    case command_kind::purge:
      return read_body<purge_messages>(r, std::move(cmd));
    case command_kind::meta:
      return read_body<meta_change>(r, std::move(cmd));
    case command_kind::lease_secret:
      return read_body<propose_lease_secret>(r, std::move(cmd));
    case command_kind::erase_dedup:
      return read_body<erase_dedup>(r, std::move(cmd));
  }
  return std::nullopt;
}

} // namespace sluice::storage
