#include "storage/recovery.hpp"

#include "storage/codec.hpp"

namespace sluice::storage {

namespace {

template <class Record, class Decode>
status load(db& d, std::string_view prefix, Decode decode, std::vector<Record>& out) {
  status bad;
  auto st = d.scan_prefix(family::meta, prefix, [&](std::string_view key, std::string_view value) {
    auto rec = decode(value);
    if (!rec) {
      bad = status::error("corrupt metadata record at key '" + std::string{key} + "'");
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
  status bad;
  st = d.scan_prefix(
      family::meta, consumer_prefix, [&](std::string_view key, std::string_view value) {
        auto rec = decode_consumer(value);
        std::string account;
        std::string queue_id;
        if (!rec || !parse_consumer_key(key, account, queue_id)) {
          bad = status::error("corrupt metadata record at key '" + std::string{key} + "'");
          return false;
        }
        for (auto& q : out.queues)
          if (q.account == account && q.id == queue_id)
            q.consumers.push_back(std::move(*rec));
        return true;
      });
  return st.ok() ? bad : st;
}

status load_messages(db& d, std::string_view queue_id,
                     std::map<uint16_t, std::vector<recovered_message>>& out) {
  status bad;
  auto prefix = queue_messages_prefix(queue_id);
  auto st =
      d.scan_prefix(family::messages, prefix, [&](std::string_view key, std::string_view value) {
        auto msg = decode_message(value);
        if (!msg || key.size() != prefix.size() + 10) {
          bad = status::error("corrupt message record in queue " + std::string{queue_id});
          return false;
        }
        recovered_message r;
        r.seq = seq_of_key(key);
        r.message = std::move(*msg);
        status get_st;
        if (auto state = d.get(family::state, key, get_st); state)
          if (auto decoded = decode_state(*state))
            r.state = *decoded;
        if (!get_st.ok()) {
          bad = get_st;
          return false;
        }
        decoder shard_in{key.substr(queue_key_bytes, 2)};
        out[shard_in.u16()].push_back(std::move(r));
        return true;
      });
  return st.ok() ? bad : st;
}

} // namespace sluice::storage
