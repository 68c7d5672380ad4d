#include "storage/codec.hpp"
#include "storage/rocksdb/dedup_index.hpp"
#include "storage/rocksdb/record_codec.hpp"
#include "storage/rocksdb/rocksdb_backend.hpp"
#include "storage/rocksdb/stores.hpp"

namespace sluice::storage {

expected<applied> rocksdb_backend::apply_at(uint64_t index,
                                            const std::vector<store_command>& commands) {
  // The stores build each command's batch as they always do; a collecting
  // writer gathers them into one write under `index`.
  writer collector{*db_, writer::mode::collect};
  auto ignore = [](const expected<applied>&) {};
  bool secret_set = false;
  for (const auto& cmd : commands) {
    if (auto* change = std::get_if<meta_change>(&cmd.body)) {
      make_rocksdb_meta_store(*db_, collector)->apply(*change, ignore);
      continue;
    }
    if (auto* proposal = std::get_if<propose_lease_secret>(&cmd.body)) {
      status st;
      if (secret_set || db_->get(family::meta, lease_secret_key, st))
        continue; // the first proposal applied wins
      if (!st.ok())
        return store_error{st.code(), "cannot read the lease secret: " + st.message()};
      batch b;
      b.put(family::meta, std::string{lease_secret_key}, proposal->secret);
      submit(collector, std::move(b), ignore);
      secret_set = true;
      continue;
    }
    if (auto* erase = std::get_if<erase_dedup>(&cmd.body)) {
      batch b;
      for (const auto& k : erase->keys)
        erase_dedup_entry(b, cmd.queue_id, cmd.shard, k);
      submit(collector, std::move(b), ignore);
      continue;
    }
    auto store = make_rocksdb_message_store(*db_, collector, *reader_, cmd.queue_id, cmd.shard);
    std::visit(
        [&](const auto& body) {
          using T = std::decay_t<decltype(body)>;
          if constexpr (std::is_same_v<T, append_messages>)
            store->append(body, ignore);
          else if constexpr (std::is_same_v<T, lease_messages>)
            store->lease(body, ignore);
          else if constexpr (std::is_same_v<T, settle_messages>)
            store->settle(body, ignore);
          else if constexpr (std::is_same_v<T, delete_messages>)
            store->remove(body, ignore);
          else if constexpr (std::is_same_v<T, expire_messages>)
            store->expire(body, ignore);
          else if constexpr (std::is_same_v<T, purge_messages>)
            store->purge(body, ignore);
        },
        cmd.body);
  }
  auto st = collector.commit_collected_at(index, false);
  if (!st.ok())
    return st.as_error();
  return applied{index};
}

void rocksdb_backend::find_expired_dedup(const std::string& queue_id, uint16_t shard,
                                         expire_dedup cmd, read_callback<expired_dedup> done) {
  auto* d = db_.get();
  auto job = [d, queue_id, shard, cmd, done] {
    expired_dedup out;
    auto st = load_expired_dedup_keys(*d, queue_id, shard, cmd, out.keys, out.next_expiry_ms);
    if (st.ok())
      done(std::move(out));
    else
      done(st.as_error());
  };
  if (!reader_->post(std::move(job)))
    done(store_error{store_errc::closed, "the storage reader is shutting down"});
}

expected<uint64_t> rocksdb_backend::sync_applied() {
  auto st = db_->sync_wal();
  if (!st.ok())
    return st.as_error();
  return applied_index();
}

expected<uint64_t> rocksdb_backend::applied_index() {
  return read_applied_index(*db_);
}

expected<uint64_t> read_applied_index(db& d) {
  status st;
  auto v = d.get(family::meta, applied_index_key, st);
  if (!st.ok())
    return store_error{st.code(), "cannot read the applied index: " + st.message()};
  if (!v)
    return uint64_t{0};
  decoder in{*v};
  auto index = in.u64();
  if (!in.ok())
    return store_error{store_errc::corrupt, "the applied index is not 8 bytes"};
  return index;
}

} // namespace sluice::storage

namespace sluice::storage {

expected<std::optional<std::string>> rocksdb_backend::stored_lease_secret() {
  status st;
  auto v = db_->get(family::meta, lease_secret_key, st);
  if (!st.ok())
    return store_error{st.code(), "cannot read the lease secret: " + st.message()};
  return v;
}

} // namespace sluice::storage
