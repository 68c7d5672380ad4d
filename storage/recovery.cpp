#include "storage/recovery.hpp"

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
  return load(d, token_prefix, decode_token, out.tokens);
}

} // namespace sluice::storage
