#include <algorithm>

#include "storage/rocksdb/dedup_index.hpp"
#include "storage/rocksdb/message_codec.hpp"
#include "storage/rocksdb/recovery.hpp"
#include "storage/rocksdb/stores.hpp"

namespace sluice::storage {

namespace {

/// The shortest run of consecutive seqs deleted as a range (see `erase`).
constexpr size_t min_range_run = 4;

/// One shard's messages: `messages` holds each body (written once), `state`
/// the small delivery state, both under `message_key(queue, shard, seq)`.
class rocksdb_message_store : public message_store {
public:
  rocksdb_message_store(db& d, writer& w, io_thread& reader, std::string queue_id, uint16_t shard)
    : db_(d), writer_(w), reader_(reader), queue_id_(std::move(queue_id)), shard_(shard),
      prefix_(shard_prefix(queue_id_, shard_)) {}

  void append(const append_messages& cmd, write_callback done) override {
    batch b;
    b.reserve(cmd.messages.size() * 2);
    for (const auto& m : cmd.messages) {
      auto k = key(m.seq);
      if (m.visible_at_ms > 0) // else the default state (no record) is right
        b.put(family::state, k, encode(delivery_state{0, m.visible_at_ms, false}));
      b.put(family::messages, std::move(k), encode(m.message));
    }
    for (const auto& e : cmd.dedup)
      put_dedup(b, queue_id_, shard_, e);
    submit(writer_, std::move(b), std::move(done));
  }

  void lease(lease_messages cmd, write_callback done) override {
    batch b;
    put_states(b, cmd.leases);
    submit(writer_, std::move(b), std::move(done));
  }

  void settle(settle_messages cmd, write_callback done) override {
    batch b;
    erase(b, std::move(cmd.acked));
    put_states(b, cmd.retried);
    erase(b, std::move(cmd.dead_lettered));
    submit(writer_, std::move(b), std::move(done));
  }

  void remove(delete_messages cmd, write_callback done) override {
    batch b;
    erase(b, std::move(cmd.seqs));
    submit(writer_, std::move(b), std::move(done));
  }

  void expire(expire_messages cmd, write_callback done) override {
    batch b;
    erase(b, std::move(cmd.seqs));
    submit(writer_, std::move(b), std::move(done));
  }

  void purge(purge_messages cmd, write_callback done) override {
    batch b;
    erase(b, std::move(cmd.seqs));
    if (cmd.cold_below > cmd.cold_from)
      erase_range(b, cmd.cold_from, cmd.cold_below);
    submit(writer_, std::move(b), std::move(done));
  }

  void page(page_messages cmd, read_callback<std::vector<recovered_message>> done) override {
    auto* d = &db_;
    run(done, [d, queue = queue_id_, shard = shard_, cmd, done] {
      std::vector<recovered_message> out;
      auto ranges = cmd.no_range_deleted ? db::range_deletions::skip : db::range_deletions::apply;
      auto st = load_page(*d, queue, shard, cmd.from, cmd.below, cmd.limit, ranges, out);
      if (st.ok())
        done(std::move(out));
      else
        done(st.as_error());
    });
  }

  void recover(recover_shard cmd, read_callback<shard_recovery> done) override {
    auto* d = &db_;
    run(done, [d, queue = queue_id_, shard = shard_, cmd, done] {
      shard_recovery out;
      auto st = load_shard(*d, queue, shard, cmd.window, out);
      if (st.ok())
        done(std::move(out));
      else
        done(st.as_error());
    });
  }

  void lookup_dedup(find_dedup cmd, read_callback<std::vector<dedup_hit>> done) override {
    auto* d = &db_;
    run(done, [d, queue = queue_id_, shard = shard_, cmd = std::move(cmd), done] {
      std::vector<dedup_hit> out;
      auto st = load_dedup_hits(*d, queue, shard, cmd, out);
      if (st.ok())
        done(std::move(out));
      else
        done(st.as_error());
    });
  }

  void sweep_dedup(expire_dedup cmd, read_callback<dedup_expiry> done) override {
    auto* d = &db_;
    auto* w = &writer_;
    run(done, [d, w, queue = queue_id_, shard = shard_, cmd, done] {
      batch b;
      dedup_expiry out;
      auto st = load_expired_dedup(*d, queue, shard, cmd, b, out);
      if (!st.ok())
        return done(st.as_error());
      if (out.removed == 0)
        return done(out); // nothing expired: nothing to write
      // The deletion is a write like any other: answered once synced.
      submit(*w, std::move(b), [out, done](expected<applied> r) {
        if (r)
          done(out);
        else
          done(r.error());
      });
    });
  }

private:
  /// Runs `job` on the reader thread; fails `done` if that thread stopped.
  template <class T>
  void run(const read_callback<T>& done, std::function<void()> job) {
    if (!reader_.post(std::move(job)))
      done(store_error{store_errc::closed, "the storage reader is shutting down"});
  }

  std::string key(uint64_t seq) const { return message_key_in(prefix_, seq); }

  /// Deletes the messages of `seqs` and their states. Settled messages come
  /// in runs (a pulled batch is acknowledged as a whole): a run of
  /// `min_range_run` or more consecutive seqs is one range deletion per
  /// family instead of two point deletions per message.
  void erase(batch& b, std::vector<uint64_t> seqs) const {
    std::sort(seqs.begin(), seqs.end());
    seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
    for (size_t i = 0; i < seqs.size();) {
      size_t end = i + 1;
      while (end < seqs.size() && seqs[end] == seqs[end - 1] + 1)
        ++end;
      if (end - i >= min_range_run) {
        erase_range(b, seqs[i], seqs[end - 1] + 1);
      } else {
        for (size_t j = i; j < end; ++j) {
          auto k = key(seqs[j]);
          b.erase(family::messages, k);
          b.erase(family::state, std::move(k));
        }
      }
      i = end;
    }
  }

  /// Deletes the messages with seqs in [from, below) and their states.
  void erase_range(batch& b, uint64_t from, uint64_t below) const {
    for (auto cf : {family::messages, family::state})
      b.erase_range(cf, key(from), key(below));
  }

  void put_states(batch& b, const std::vector<state_change>& changes) const {
    for (const auto& c : changes)
      b.put(family::state, key(c.seq), encode(c.state));
  }

  db& db_;
  writer& writer_;
  io_thread& reader_;
  std::string queue_id_;
  uint16_t shard_;
  std::string prefix_; ///< `shard_prefix(queue_id_, shard_)`: every key starts with it
};

} // namespace

std::unique_ptr<message_store> make_rocksdb_message_store(db& d, writer& w, io_thread& reader,
                                                          std::string queue_id, uint16_t shard) {
  return std::make_unique<rocksdb_message_store>(d, w, reader, std::move(queue_id), shard);
}

} // namespace sluice::storage
