#include "storage/memory/memory_backend.hpp"

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace sluice::storage {

namespace {

/// An (account, id or name) pair: the identity of most meta records.
using account_key = std::pair<std::string, std::string>;

/// One storage shard. Bodies and states are kept apart, as RocksDB keeps
/// them in two families, so a state written for a seq without a body (a
/// lease racing a delete) behaves the same: invisible to reads, removed by
/// the same erases.
struct shard_data {
  std::map<uint64_t, stored_message> messages;
  std::map<uint64_t, delivery_state> states;
  /// Dedup entries, as RocksDB keeps them: by id, then expiry → message id;
  /// and by expiry (so an entry written again after it expired is a new one).
  std::map<std::string, std::map<int64_t, std::string>> dedup;
  std::set<std::pair<int64_t, std::string>> dedup_expiry;
};

} // namespace

struct memory_state {
  std::mutex mtx;
  bool stopped = false;
  uint64_t applied = 0;

  std::map<account_key, queue_record> queues; // without their consumers
  /// By queue, then slot (docs/architecture.md, "Fan-out").
  std::map<account_key, std::map<uint16_t, consumer_record>> consumers;
  std::map<std::string, token_record> tokens;
  std::map<account_key, subscription_record> subscriptions;
  std::map<account_key, script_record> scripts;
  std::map<std::pair<std::string, uint64_t>, audit_record> audit;
  std::map<account_key, redrive_record> redrives; // by (account, source queue id)
  std::optional<std::string> lease_secret;

  std::map<std::string, std::map<uint16_t, shard_data>> shards; // by queue id, then shard
};

namespace {

store_error closed_error() {
  return {store_errc::closed, "the memory store is stopped"};
}

/// Applies `apply` under the lock and reports to `done` after unlocking, so
/// that `done` may submit the next command.
template <class Apply>
void write(memory_state& s, const write_callback& done, Apply apply) {
  expected<applied> result = closed_error();
  {
    std::lock_guard<std::mutex> guard{s.mtx};
    if (!s.stopped) {
      apply();
      result = applied{++s.applied};
    }
  }
  done(std::move(result));
}

/// Runs `read` (returning a T) under the lock and reports to `done` after
/// unlocking.
template <class T, class Read>
void read(memory_state& s, const read_callback<T>& done, Read read_fn) {
  std::optional<expected<T>> result;
  {
    std::lock_guard<std::mutex> guard{s.mtx};
    if (s.stopped)
      result.emplace(closed_error());
    else
      result.emplace(read_fn());
  }
  done(std::move(*result));
}

void erase_seqs(shard_data& shard, const std::vector<uint64_t>& seqs) {
  for (auto seq : seqs) {
    shard.messages.erase(seq);
    shard.states.erase(seq);
  }
}

void put_states(shard_data& shard, const std::vector<state_change>& changes) {
  for (const auto& c : changes)
    shard.states[c.seq] = c.state;
}

template <class Map>
void erase_range(Map& m, uint64_t from, uint64_t below) {
  m.erase(m.lower_bound(from), m.lower_bound(below));
}

recovered_message recovered(const shard_data& shard,
                            std::map<uint64_t, stored_message>::const_iterator it) {
  recovered_message r;
  r.seq = it->first;
  r.message = it->second;
  if (auto st = shard.states.find(it->first); st != shard.states.end())
    r.state = st->second;
  return r;
}

class memory_message_store : public message_store {
public:
  memory_message_store(std::shared_ptr<memory_state> s, std::string queue_id, uint16_t shard)
    : s_(std::move(s)), queue_id_(std::move(queue_id)), shard_(shard) {}

  void append(const append_messages& cmd, write_callback done) override {
    write(*s_, done, [&] {
      auto& shard = data();
      for (const auto& m : cmd.messages) {
        if (m.visible_at_ms > 0) // else the default state (no record) is right
          shard.states[m.seq] = delivery_state{0, m.visible_at_ms, false};
        shard.messages[m.seq] = m.message;
      }
      for (const auto& e : cmd.dedup) {
        shard.dedup[e.dedup_id][e.expires_ms] = e.message_id;
        shard.dedup_expiry.emplace(e.expires_ms, e.dedup_id);
      }
    });
  }

  void lease(lease_messages cmd, write_callback done) override {
    write(*s_, done, [&] { put_states(data(), cmd.leases); });
  }

  void settle(settle_messages cmd, write_callback done) override {
    write(*s_, done, [&] {
      auto& shard = data();
      erase_seqs(shard, cmd.acked);
      put_states(shard, cmd.retried);
      erase_seqs(shard, cmd.dead_lettered);
    });
  }

  void remove(delete_messages cmd, write_callback done) override {
    write(*s_, done, [&] { erase_seqs(data(), cmd.seqs); });
  }

  void expire(expire_messages cmd, write_callback done) override {
    write(*s_, done, [&] { erase_seqs(data(), cmd.seqs); });
  }

  void purge(purge_messages cmd, write_callback done) override {
    write(*s_, done, [&] {
      auto& shard = data();
      erase_seqs(shard, cmd.seqs);
      if (cmd.cold_below > cmd.cold_from) {
        erase_range(shard.messages, cmd.cold_from, cmd.cold_below);
        erase_range(shard.states, cmd.cold_from, cmd.cold_below);
      }
    });
  }

  void page(page_messages cmd, read_callback<std::vector<recovered_message>> done) override {
    read(*s_, done, [&] {
      std::vector<recovered_message> out;
      const auto* shard = find();
      if (shard == nullptr || cmd.from >= cmd.below)
        return out;
      for (auto it = shard->messages.lower_bound(cmd.from);
           it != shard->messages.end() && it->first < cmd.below && out.size() < cmd.limit; ++it)
        out.push_back(recovered(*shard, it));
      return out;
    });
  }

  void recover(recover_shard cmd, read_callback<shard_recovery> done) override {
    read(*s_, done, [&] {
      shard_recovery out;
      const auto* shard = find();
      if (shard == nullptr)
        return out;
      for (auto it = shard->messages.begin(); it != shard->messages.end(); ++it) {
        out.last_seq = it->first;
        if (out.cold_count == 0 && out.loaded.size() < cmd.window) {
          out.loaded.push_back(recovered(*shard, it));
          continue;
        }
        if (out.cold_count == 0)
          out.cold_from = it->first;
        ++out.cold_count;
        out.cold_bytes += it->second.body.size();
      }
      return out;
    });
  }

  void lookup_dedup(find_dedup cmd, read_callback<std::vector<dedup_hit>> done) override {
    read(*s_, done, [&] {
      std::vector<dedup_hit> out;
      const auto* shard = find();
      if (shard == nullptr)
        return out;
      for (const auto& id : cmd.ids) {
        auto it = shard->dedup.find(id);
        // The newest entry of the id counts; older ones wait for their sweep.
        if (it != shard->dedup.end() && !it->second.empty()
            && it->second.rbegin()->first > cmd.now_ms)
          out.push_back({id, it->second.rbegin()->second});
      }
      return out;
    });
  }

  void sweep_dedup(expire_dedup cmd, read_callback<dedup_expiry> done) override {
    // Nothing expired: a read, as in RocksDB, which then writes nothing.
    auto nothing_due = read_now_of<bool>([&] {
      const auto* shard = find();
      return shard == nullptr || shard->dedup_expiry.empty()
             || shard->dedup_expiry.begin()->first > cmd.now_ms;
    });
    if (!nothing_due || *nothing_due) {
      read(*s_, done, [&] {
        const auto* shard = find();
        dedup_expiry out;
        if (shard != nullptr && !shard->dedup_expiry.empty())
          out.next_expiry_ms = shard->dedup_expiry.begin()->first;
        return out;
      });
      return;
    }
    // A write: it takes an index, as the RocksDB store's deletion does.
    std::optional<expected<dedup_expiry>> result;
    write(
        *s_,
        [&](expected<applied> r) {
          if (!r)
            result.emplace(r.error());
        },
        [&] {
          dedup_expiry out;
          auto& shard = data();
          auto& ex = shard.dedup_expiry;
          while (!ex.empty() && ex.begin()->first <= cmd.now_ms && out.removed < cmd.limit) {
            auto [exp, id] = *ex.begin();
            ex.erase(ex.begin());
            auto it = shard.dedup.find(id);
            if (it != shard.dedup.end()) {
              it->second.erase(exp);
              if (it->second.empty())
                shard.dedup.erase(it);
            }
            ++out.removed;
          }
          out.next_expiry_ms = ex.empty() ? 0 : ex.begin()->first;
          result.emplace(out);
        });
    done(std::move(*result));
  }

private:
  /// Runs `fn` under the lock; nullopt after `stop()`.
  template <class T, class Fn>
  std::optional<T> read_now_of(Fn fn) {
    std::lock_guard<std::mutex> guard{s_->mtx};
    if (s_->stopped)
      return std::nullopt;
    return fn();
  }

  /// The shard, created if missing (also after its queue was erased).
  shard_data& data() { return s_->shards[queue_id_][shard_]; }

  /// The shard, or null if nothing was ever written to it; reads must not
  /// create shards.
  const shard_data* find() const {
    auto q = s_->shards.find(queue_id_);
    if (q == s_->shards.end())
      return nullptr;
    auto sh = q->second.find(shard_);
    return sh == q->second.end() ? nullptr : &sh->second;
  }

  std::shared_ptr<memory_state> s_;
  std::string queue_id_;
  uint16_t shard_;
};

/// Applies one change in the order `rocksdb_backend` builds its batch.
void apply_change(memory_state& s, meta_change& c) {
  for (const auto& q : c.erase_queues) {
    s.queues.erase({q.account, q.id});
    s.consumers.erase({q.account, q.id});
    s.redrives.erase({q.account, q.id});
    s.shards.erase(q.id);
  }
  for (auto& q : c.put_queues) {
    q.consumers.clear(); // not part of the queue's own record
    auto key = account_key{q.account, q.id};
    s.queues[std::move(key)] = std::move(q);
  }
  for (const auto& r : c.erase_consumers)
    if (auto i = s.consumers.find({r.account, r.queue_id}); i != s.consumers.end()) {
      i->second.erase(r.slot);
      if (i->second.empty())
        s.consumers.erase(i);
    }
  for (auto& p : c.put_consumers) {
    auto slot = p.consumer.slot;
    s.consumers[{p.account, p.queue_id}][slot] = std::move(p.consumer);
  }
  for (const auto& hash : c.erase_tokens)
    s.tokens.erase(hash);
  for (auto& t : c.put_tokens) {
    auto key = t.hash;
    s.tokens[std::move(key)] = std::move(t);
  }
  for (const auto& r : c.erase_subscriptions)
    s.subscriptions.erase({r.account, r.name});
  for (auto& sub : c.put_subscriptions) {
    auto key = account_key{sub.account, sub.id};
    s.subscriptions[std::move(key)] = std::move(sub);
  }
  for (const auto& r : c.erase_scripts)
    s.scripts.erase({r.account, r.name});
  for (auto& sc : c.put_scripts) {
    auto key = account_key{sc.account, sc.name};
    s.scripts[std::move(key)] = std::move(sc);
  }
  for (const auto& r : c.erase_audit)
    s.audit.erase({r.account, r.seq});
  for (auto& e : c.put_audit) {
    auto key = std::pair<std::string, uint64_t>{e.account, e.seq};
    s.audit[std::move(key)] = std::move(e);
  }
  for (auto& r : c.put_redrives) {
    auto key = account_key{r.account, r.source_queue_id};
    s.redrives[std::move(key)] = std::move(r);
  }
}

template <class Map, class Record>
void copy_values(const Map& m, std::vector<Record>& out) {
  for (const auto& [key, value] : m)
    out.push_back(value);
}

class memory_meta_store : public meta_store {
public:
  explicit memory_meta_store(std::shared_ptr<memory_state> s) : s_(std::move(s)) {}

  void apply(meta_change change, write_callback done) override {
    write(*s_, done, [&] { apply_change(*s_, change); });
  }

  expected<meta_snapshot> load() override {
    std::lock_guard<std::mutex> guard{s_->mtx};
    if (s_->stopped)
      return closed_error();
    meta_snapshot out;
    for (const auto& [key, q] : s_->queues) {
      out.queues.push_back(q);
      if (auto c = s_->consumers.find(key); c != s_->consumers.end())
        for (const auto& [slot, consumer] : c->second)
          out.queues.back().consumers.push_back(consumer);
    }
    copy_values(s_->tokens, out.tokens);
    copy_values(s_->subscriptions, out.subscriptions);
    copy_values(s_->scripts, out.scripts);
    copy_values(s_->audit, out.audit);
    copy_values(s_->redrives, out.redrives);
    return out;
  }

  expected<std::string> lease_secret(const std::string& fresh) override {
    std::lock_guard<std::mutex> guard{s_->mtx};
    if (s_->stopped)
      return closed_error();
    if (!s_->lease_secret)
      s_->lease_secret = fresh;
    return *s_->lease_secret;
  }

private:
  std::shared_ptr<memory_state> s_;
};

} // namespace

memory_backend::memory_backend()
  : state_(std::make_shared<memory_state>()), meta_(std::make_unique<memory_meta_store>(state_)) {}

memory_backend::~memory_backend() = default;

meta_store& memory_backend::meta() {
  return *meta_;
}

std::unique_ptr<message_store> memory_backend::messages(const std::string& queue_id,
                                                        uint16_t shard) {
  return std::make_unique<memory_message_store>(state_, queue_id, shard);
}

void memory_backend::stop() {
  std::lock_guard<std::mutex> guard{state_->mtx};
  state_->stopped = true;
}

uint64_t memory_backend::last_applied() const {
  std::lock_guard<std::mutex> guard{state_->mtx};
  return state_->applied;
}

} // namespace sluice::storage
