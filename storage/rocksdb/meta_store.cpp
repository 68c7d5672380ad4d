#include "storage/rocksdb/message_codec.hpp"
#include "storage/rocksdb/record_codec.hpp"
#include "storage/rocksdb/recovery.hpp"
#include "storage/rocksdb/redrive_codec.hpp"
#include "storage/rocksdb/stores.hpp"

namespace sluice::storage {

void submit(writer& w, batch b, write_callback done) {
  w.submit(std::move(b), [done = std::move(done)](const status& st, uint64_t index) {
    if (st.ok())
      done(applied{index});
    else
      done(st.as_error());
  });
}

namespace {

/// The writes of `c`, in one batch.
batch to_batch(const meta_change& c) {
  batch b;
  constexpr auto meta = family::meta;
  for (const auto& q : c.erase_queues) {
    b.erase(meta, queue_key(q.account, q.id));
    auto consumers = consumer_key(q.account, q.id); // every slot's key starts so
    b.erase_range(meta, consumers, prefix_end(consumers));
    b.erase(meta, redrive_key(q.account, q.id));
    auto prefix = queue_messages_prefix(q.id);
    for (auto cf : {family::messages, family::state, family::dedup})
      b.erase_range(cf, prefix, prefix_end(prefix));
  }
  for (const auto& q : c.put_queues) // the codec leaves `consumers` out
    b.put(meta, queue_key(q.account, q.id), encode(q));
  for (const auto& r : c.erase_consumers)
    b.erase(meta, consumer_key(r.account, r.queue_id, r.slot));
  for (const auto& p : c.put_consumers)
    b.put(meta, consumer_key(p.account, p.queue_id, p.consumer.slot), encode(p.consumer));
  for (const auto& hash : c.erase_tokens)
    b.erase(meta, token_key(hash));
  for (const auto& t : c.put_tokens)
    b.put(meta, token_key(t.hash), encode(t));
  for (const auto& r : c.erase_subscriptions)
    b.erase(meta, subscription_key(r.account, r.name));
  for (const auto& s : c.put_subscriptions)
    b.put(meta, subscription_key(s.account, s.id), encode(s));
  for (const auto& r : c.erase_scripts)
    b.erase(meta, script_key(r.account, r.name));
  for (const auto& s : c.put_scripts)
    b.put(meta, script_key(s.account, s.name), encode(s));
  for (const auto& r : c.erase_audit)
    b.erase(meta, audit_key(r.account, r.seq));
  for (const auto& e : c.put_audit)
    b.put(meta, audit_key(e.account, e.seq), encode(e));
  for (const auto& r : c.put_redrives)
    b.put(meta, redrive_key(r.account, r.source_queue_id), encode(r));
  return b;
}

class rocksdb_meta_store : public meta_store {
public:
  rocksdb_meta_store(db& d, writer& w) : db_(d), writer_(w) {}

  void apply(meta_change change, write_callback done) override {
    submit(writer_, to_batch(change), std::move(done));
  }

  expected<meta_snapshot> load() override {
    meta_snapshot out;
    if (auto st = load_meta(db_, out); !st.ok())
      return st.as_error();
    return out;
  }

  expected<std::string> lease_secret(const std::string& fresh) override {
    status st;
    if (auto v = db_.get(family::meta, lease_secret_key, st); v)
      return *v;
    if (!st.ok())
      return store_error{st.code(), "cannot read the lease secret: " + st.message()};
    batch b;
    b.put(family::meta, std::string{lease_secret_key}, fresh);
    if (st = db_.write(b, true); !st.ok())
      return store_error{st.code(), "cannot store the lease secret: " + st.message()};
    return fresh;
  }

private:
  db& db_;
  writer& writer_;
};

} // namespace

std::unique_ptr<meta_store> make_rocksdb_meta_store(db& d, writer& w) {
  return std::make_unique<rocksdb_meta_store>(d, w);
}

} // namespace sluice::storage
