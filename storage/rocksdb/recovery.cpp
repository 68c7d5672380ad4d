#include "storage/rocksdb/recovery.hpp"

#include "storage/codec.hpp"
#include "storage/rocksdb/message_codec.hpp"
#include "storage/rocksdb/record_codec.hpp"
#include "storage/rocksdb/redrive_codec.hpp"

namespace sluice::storage {

namespace {

template <class Record, class Decode>
status load(db& d, std::string_view prefix, Decode decode, std::vector<Record>& out) {
  status bad;
  auto st = d.scan_prefix(family::meta, prefix, [&](std::string_view key, std::string_view value) {
    auto rec = decode(value);
    if (!rec) {
      bad = status::error("corrupt metadata record at key '" + std::string{key} + "'",
                          store_errc::corrupt);
      return false;
    }
    out.push_back(std::move(*rec));
    return true;
  });
  return st.ok() ? bad : st;
}

} // namespace

status load_meta(db& d, meta_snapshot& out) {
  auto st = load(d, queue_prefix, decode_queue, out.queues);
  if (!st.ok())
    return st;
  if (st = load(d, token_prefix, decode_token, out.tokens); !st.ok())
    return st;
  if (st = load(d, subscription_prefix, decode_subscription, out.subscriptions); !st.ok())
    return st;
  if (st = load(d, script_prefix, decode_script, out.scripts); !st.ok())
    return st;
  if (st = load(d, audit_prefix, decode_audit, out.audit); !st.ok())
    return st;
  if (st = load(d, redrive_prefix, decode_redrive, out.redrives); !st.ok())
    return st;
  status bad;
  st = d.scan_prefix(
      family::meta, consumer_prefix, [&](std::string_view key, std::string_view value) {
        auto rec = decode_consumer(value);
        std::string account;
        std::string queue_id;
        if (!rec || !parse_consumer_key(key, account, queue_id)) {
          bad = status::error("corrupt metadata record at key '" + std::string{key} + "'",
                              store_errc::corrupt);
          return false;
        }
        for (auto& q : out.queues)
          if (q.account == account && q.id == queue_id)
            q.consumers.push_back(std::move(*rec));
        return true;
      });
  return st.ok() ? bad : st;
}

namespace {

/// Decodes one message record (its state stays the default until
/// `attach_states`). False (with `bad` set) for a corrupt record.
bool read_entry(std::string_view key, std::string_view value, size_t key_size,
                recovered_message& out, status& bad) {
  auto msg = decode_message(value);
  if (!msg || key.size() != key_size) {
    bad =
        status::error("corrupt message record at a key of " + std::to_string(key.size()) + " bytes",
                      store_errc::corrupt);
    return false;
  }
  out.seq = seq_of_key(key);
  out.message = std::move(*msg);
  return true;
}

/// Gives each of `msgs` (in sequence order) its stored delivery state, with one
/// scan of the `state` family over their range instead of a lookup per message
/// (most messages have no state record). A message whose state record cannot be
/// decoded keeps the default: never delivered (at-least-once). `ranges`: as
/// for the scan of the messages themselves (see `load_page`).
status attach_states(db& d, std::string_view queue_id, uint16_t shard,
                     std::vector<recovered_message>& msgs, size_t first,
                     db::range_deletions ranges) {
  if (first >= msgs.size())
    return {};
  auto it = msgs.begin() + static_cast<std::ptrdiff_t>(first);
  return d.scan_range(
      family::state, message_key(queue_id, shard, it->seq),
      message_key(queue_id, shard, msgs.back().seq + 1),
      [&](std::string_view key, std::string_view value) {
        auto seq = seq_of_key(key);
        while (it != msgs.end() && it->seq < seq)
          ++it;
        if (it == msgs.end())
          return false;
        if (it->seq == seq)
          if (auto decoded = decode_state(value))
            it->state = *decoded;
        return true;
      },
      ranges);
}

} // namespace

status load_shard(db& d, std::string_view queue_id, uint16_t shard_no, size_t window,
                  shard_recovery& shard) {
  status bad;
  auto prefix = shard_prefix(queue_id, shard_no);
  auto key_size = prefix.size() + 8;
  auto st =
      d.scan_prefix(family::messages, prefix, [&](std::string_view key, std::string_view value) {
        if (key.size() != key_size) {
          bad = status::error("corrupt message key in queue " + std::string{queue_id},
                              store_errc::corrupt);
          return false;
        }
        auto seq = seq_of_key(key);
        shard.last_seq = seq;
        if (shard.cold_count == 0 && shard.loaded.size() < window) {
          recovered_message r;
          if (!read_entry(key, value, key_size, r, bad))
            return false;
          shard.loaded.push_back(std::move(r));
          return true;
        }
        // Beyond the window: only counted; paged in later.
        if (shard.cold_count == 0)
          shard.cold_from = seq;
        ++shard.cold_count;
        shard.cold_bytes += stored_body_bytes(value);
        return true;
      });
  if (!st.ok())
    return st;
  if (!bad.ok())
    return bad;
  return attach_states(d, queue_id, shard_no, shard.loaded, 0, db::range_deletions::apply);
}

status load_page(db& d, std::string_view queue_id, uint16_t shard, uint64_t from, uint64_t below,
                 size_t limit, db::range_deletions ranges, std::vector<recovered_message>& out) {
  status bad;
  if (limit == 0)
    return bad;
  auto begin = message_key(queue_id, shard, from);
  auto end = message_key(queue_id, shard, below);
  auto first = out.size();
  auto st = d.scan_range(
      family::messages, begin, end,
      [&](std::string_view key, std::string_view value) {
        recovered_message r;
        if (!read_entry(key, value, begin.size(), r, bad))
          return false;
        out.push_back(std::move(r));
        return out.size() < limit;
      },
      ranges);
  if (!st.ok())
    return st;
  if (!bad.ok())
    return bad;
  return attach_states(d, queue_id, shard, out, first, ranges);
}

} // namespace sluice::storage
