#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "raft_cluster.hpp"
#include "storage/replicated/replicated_backend.hpp"
#include "temp_dir.hpp"

namespace sluice::test {

namespace st = storage;

/// Waits (at most 10 s) for the outcome of a write started by `start`, which
/// gets the write callback.
template <class Start>
st::expected<st::applied> write_and_wait(Start start) {
  auto promise = std::make_shared<std::promise<st::expected<st::applied>>>();
  auto result = promise->get_future();
  start([promise](st::expected<st::applied> r) { promise->set_value(std::move(r)); });
  if (result.wait_for(10s) != std::future_status::ready)
    throw std::runtime_error("write did not complete within 10 s");
  return result.get();
}

/// Waits (at most 10 s) for the result of a read started by `start`, which
/// gets the read callback.
template <class T, class Start>
st::expected<T> read_and_wait(Start start) {
  auto promise = std::make_shared<std::promise<st::expected<T>>>();
  auto result = promise->get_future();
  start([promise](st::expected<T> r) { promise->set_value(std::move(r)); });
  if (result.wait_for(10s) != std::future_status::ready)
    throw std::runtime_error("read did not complete within 10 s");
  return result.get();
}

/// Which of `ids` have a dedup entry in the shard (at any expiry), as text.
inline std::string dedup_text(st::backend& b, const std::string& queue_id, uint16_t shard,
                              const std::vector<std::string>& ids) {
  auto store = b.messages(queue_id, shard);
  auto hits = read_and_wait<std::vector<st::dedup_hit>>(
      [&](st::read_callback<std::vector<st::dedup_hit>> done) {
        store->lookup_dedup({ids, 0}, done);
      });
  if (!hits)
    throw std::runtime_error("lookup_dedup: " + hits.error().message);
  std::ostringstream out;
  for (const auto& h : *hits)
    out << h.dedup_id << "->" << h.message_id << ';';
  return out.str();
}

/// The whole content of one shard as read back by `recover`, as text.
inline std::string shard_text(st::backend& b, const std::string& queue_id, uint16_t shard) {
  auto promise = std::make_shared<std::promise<st::expected<st::shard_recovery>>>();
  auto result = promise->get_future();
  b.messages(queue_id, shard)->recover({100000}, [promise](st::expected<st::shard_recovery> r) {
    promise->set_value(std::move(r));
  });
  auto r = result.get();
  if (!r)
    throw std::runtime_error("recover: " + r.error().message);
  std::ostringstream out;
  for (const auto& m : r->loaded)
    out << m.seq << ':' << m.message.body << ':' << m.state.attempts << ':' << m.state.visible_at_ms
        << ':' << m.state.last_error << ';';
  out << "cold=" << r->cold_count << " last=" << r->last_seq;
  return out.str();
}

/// The meta store's content as read back by `load`, as text.
inline std::string meta_text(st::backend& b) {
  auto m = b.meta().load();
  if (!m)
    throw std::runtime_error("load: " + m.error().message);
  std::ostringstream out;
  for (const auto& q : m->queues) {
    out << "queue " << q.account << '/' << q.id << ' ' << q.name << ' ' << q.settings.delivery_delay
        << ' ' << st::consumer_mode_name(q.settings.mode) << ' ' << q.settings.dedup_window_seconds;
    for (const auto& c : q.consumers)
      out << " consumer " << c.id << ' ' << c.batch_size << " slot " << c.slot;
    out << ';';
  }
  for (const auto& t : m->tokens)
    out << "token " << t.hash << ' ' << t.permissions << ';';
  for (const auto& a : m->audit)
    out << "audit " << a.seq << ' ' << a.action << ';';
  for (const auto& r : m->redrives)
    out << "redrive " << r.account << '/' << r.source_queue_id << ' ' << r.id << ' '
        << r.destination_queue_id << ' ' << r.max_per_second << ' '
        << st::redrive_state_name(r.state) << ' ' << r.to_move << ' ' << r.moved << ' '
        << r.started_ms << ' ' << r.finished_ms << ' ' << r.failure_reason << ';';
  return out.str();
}

/// A checkpoint source that forwards to another backend's
/// `checkpoints()` in this process (what the transport will do over the
/// network).
class borrowed_checkpoint_source : public st::checkpoint_source {
public:
  explicit borrowed_checkpoint_source(st::checkpoint_source& real) : real_(real) {}
  st::expected<st::checkpoint_manifest> prepare(uint64_t min_index) override {
    return real_.prepare(min_index);
  }
  st::expected<std::string> read_chunk(const std::string& checkpoint, const std::string& file,
                                       uint64_t offset, size_t max) override {
    return real_.read_chunk(checkpoint, file, offset, max);
  }

private:
  st::checkpoint_source& real_;
};

/// Three replicated backends in this process on loopback ports, each with
/// its own temp dir (RocksDB in `store/`, raft in `raft/`).
struct replicated_cluster {
  struct slot {
    std::unique_ptr<temp_dir> dir;
    st::replicated_config config;
    std::unique_ptr<st::replicated_backend> backend;
  };

  /// `configure` adjusts each node's config (e.g. snapshot limits) before
  /// it starts.
  explicit replicated_cluster(size_t n = 3,
                              std::function<void(st::replicated_config&)> configure = {})
    : configure_(std::move(configure)) {
    slots.reserve(8); // factories read `slots` from raft threads: no reallocation
    std::vector<st::raft::member> members;
    for (size_t i = 0; i < n; ++i)
      members.push_back(
          {i + 1, "127.0.0.1:" + std::to_string(free_port()), st::raft::member_role::voter});
    for (size_t i = 0; i < n; ++i) {
      slot s;
      s.dir = std::make_unique<temp_dir>();
      s.config.store_dir = s.dir->path() + "/store";
      s.config.raft.id = members[i].id;
      s.config.raft.address = members[i].address;
      s.config.raft.data_dir = s.dir->path() + "/raft";
      s.config.raft.initial_members = members;
      s.config.catch_up.source = in_process_source(members[i].id);
      s.config.catch_up.retry_delay = 200ms;
      if (configure_)
        configure_(s.config);
      slots.push_back(std::move(s));
    }
    for (size_t i = 0; i < n; ++i)
      start(i);
  }

  ~replicated_cluster() {
    for (auto& s : slots)
      if (s.backend)
        s.backend->stop();
  }

  /// Adds (does not start) a node that joins the running group once a
  /// leader adds it; returns its slot.
  size_t add_slot() {
    slot s;
    s.dir = std::make_unique<temp_dir>();
    s.config.store_dir = s.dir->path() + "/store";
    s.config.raft.id = slots.size() + 1;
    s.config.raft.address = "127.0.0.1:" + std::to_string(free_port());
    s.config.raft.data_dir = s.dir->path() + "/raft";
    s.config.catch_up.source = in_process_source(s.config.raft.id);
    s.config.catch_up.retry_delay = 200ms;
    if (configure_)
      configure_(s.config);
    slots.push_back(std::move(s));
    return slots.size() - 1;
  }

  /// The catch-up source of node `own_id`: the checkpoints of the node the
  /// hint names or, unknown, of whichever other node leads. It never
  /// touches node `own_id`'s own slot (that one may be starting). Must not
  /// be used while slots are added.
  st::checkpoint_source_factory in_process_source(uint64_t own_id) {
    return [this,
            own_id](const st::raft::leader_hint& leader) -> std::unique_ptr<st::checkpoint_source> {
      for (auto& s : slots) {
        if (s.config.raft.id == own_id || !s.backend)
          continue;
        bool named = leader.id != 0 && s.config.raft.id == leader.id;
        bool leads = leader.id == 0 && s.backend->status().role == st::raft::node_role::leader;
        if (named || leads)
          return std::make_unique<borrowed_checkpoint_source>(s.backend->checkpoints());
      }
      return nullptr;
    };
  }

  /// Opens backend `i` from its dirs.
  void start(size_t i) {
    auto b = st::replicated_backend::open(slots[i].config);
    if (!b)
      throw std::runtime_error("replicated backend open: " + b.error().message);
    slots[i].backend = std::move(*b);
  }

  /// Stops and closes backend `i` (its dirs stay).
  void stop(size_t i) {
    slots[i].backend->stop();
    slots[i].backend.reset();
  }

  st::replicated_backend& backend(size_t i) { return *slots[i].backend; }

  /// The slot that leads once every running node agrees on it; -1 if none
  /// within `limit`.
  int leader(std::chrono::milliseconds limit = 15000ms) {
    int found = -1;
    eventually(
        [&] {
          found = -1;
          uint64_t agreed = 0;
          for (size_t i = 0; i < slots.size(); ++i) {
            if (!slots[i].backend)
              continue;
            auto status = slots[i].backend->status();
            if (status.leader.id == 0 || (agreed != 0 && status.leader.id != agreed))
              return false;
            agreed = status.leader.id;
            if (status.role == st::raft::node_role::leader)
              found = static_cast<int>(i);
          }
          return found >= 0 && slots[found].config.raft.id == agreed;
        },
        limit);
    return found;
  }

  /// True once every running replica applied up to `index`.
  bool applied_everywhere(uint64_t index, std::chrono::milliseconds limit = 10000ms) {
    return eventually(
        [&] {
          for (auto& s : slots)
            if (s.backend && s.backend->applied_index() < index)
              return false;
          return true;
        },
        limit);
  }

  std::vector<slot> slots;

private:
  std::function<void(st::replicated_config&)> configure_;
};

} // namespace sluice::test
