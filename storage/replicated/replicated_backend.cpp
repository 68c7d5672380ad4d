#include "storage/replicated/replicated_backend.hpp"

#include <future>
#include <utility>

#include "storage/replicated/command_codec.hpp"

namespace sluice::storage {

namespace {

/// The store error of a raft outcome that is not `ok`.
store_error to_store_error(const raft::apply_outcome& o) {
  store_error e;
  e.leader_id = o.leader.id;
  e.leader_address = o.leader.address;
  switch (o.code) {
    case raft::raft_errc::not_leader:
      e.code = store_errc::not_leader;
      e.message = o.leader.id == 0
                      ? "this node does not lead the cluster and knows no leader yet"
                      : "this node does not lead the cluster; node " + std::to_string(o.leader.id)
                            + " at " + o.leader.address + " does";
      return e;
    case raft::raft_errc::leadership_lost:
      e.code = store_errc::unknown_outcome;
      e.message = "leadership moved while the write was in flight: it may or may not be applied";
      return e;
    case raft::raft_errc::shutting_down:
      e.code = store_errc::closed;
      e.message = "the replicated store is shutting down";
      return e;
    default:
      e.code = store_errc::io_error;
      e.message = std::string{"replication failed ("} + raft::to_string(o.code) + ")"
                  + (o.message.empty() ? "" : ": " + o.message);
      return e;
  }
}

/// Replicates `cmd`; `done` runs once it is committed and applied here.
void replicate(raft::raft_node& node, const store_command& cmd, write_callback done) {
  std::vector<std::string> commands;
  commands.push_back(encode_command(cmd));
  node.apply(std::move(commands), [done = std::move(done)](const raft::apply_outcome& o) {
    if (o.code == raft::raft_errc::ok)
      done(applied{o.index});
    else
      done(to_store_error(o));
  });
}

/// Writes go through raft, reads to the local store's shard.
class replicated_message_store : public message_store {
public:
  replicated_message_store(raft::raft_node& node, rocksdb_backend& backend, std::string queue_id,
                           uint16_t shard)
    : node_(node), backend_(backend), local_(backend.messages(queue_id, shard)),
      queue_id_(std::move(queue_id)), shard_(shard) {}

  void append(const append_messages& cmd, write_callback done) override {
    send(cmd, std::move(done));
  }
  void lease(lease_messages cmd, write_callback done) override {
    send(std::move(cmd), std::move(done));
  }
  void settle(settle_messages cmd, write_callback done) override {
    send(std::move(cmd), std::move(done));
  }
  void remove(delete_messages cmd, write_callback done) override {
    send(std::move(cmd), std::move(done));
  }
  void expire(expire_messages cmd, write_callback done) override {
    send(std::move(cmd), std::move(done));
  }
  void purge(purge_messages cmd, write_callback done) override {
    send(std::move(cmd), std::move(done));
  }

  void page(page_messages cmd, read_callback<std::vector<recovered_message>> done) override {
    local_->page(cmd, std::move(done));
  }
  void recover(recover_shard cmd, read_callback<shard_recovery> done) override {
    local_->recover(cmd, std::move(done));
  }
  void lookup_dedup(find_dedup cmd, read_callback<std::vector<dedup_hit>> done) override {
    local_->lookup_dedup(std::move(cmd), std::move(done));
  }

  /// Reads the expired entries here, then replicates the deletion of
  /// exactly those keys (`erase_dedup`): every replica deletes the same
  /// entries (docs/cluster.md, "Dedup sweeps"). Nothing expired: no write.
  void sweep_dedup(expire_dedup cmd, read_callback<dedup_expiry> done) override {
    auto* node = &node_;
    backend_.find_expired_dedup(
        queue_id_, shard_, cmd,
        [node, queue_id = queue_id_, shard = shard_, done](expected<expired_dedup> found) {
          if (!found)
            return done(found.error());
          dedup_expiry out{found->keys.size(), found->next_expiry_ms};
          if (found->keys.empty())
            return done(out);
          replicate(*node, store_command{queue_id, shard, erase_dedup{std::move(found->keys)}},
                    [out, done](expected<applied> r) {
                      if (r)
                        done(out);
                      else
                        done(r.error());
                    });
        });
  }

private:
  template <class Command>
  void send(Command body, write_callback done) {
    replicate(node_, store_command{queue_id_, shard_, std::move(body)}, std::move(done));
  }

  raft::raft_node& node_;
  rocksdb_backend& backend_;
  std::unique_ptr<message_store> local_;
  std::string queue_id_;
  uint16_t shard_;
};

/// Changes go through raft; `load` and the lease secret read the local store.
class replicated_meta_store : public meta_store {
public:
  replicated_meta_store(raft::raft_node& node, rocksdb_backend& local)
    : node_(node), local_(local) {}

  void apply(meta_change change, write_callback done) override {
    replicate(node_, store_command{{}, 0, std::move(change)}, std::move(done));
  }

  expected<meta_snapshot> load() override { return local_.meta().load(); }

  /// The replicated secret: read locally once some node's proposal is
  /// applied; else `fresh` is proposed through the log and the first
  /// proposal applied wins on every replica. Blocks until it is (start-up).
  expected<std::string> lease_secret(const std::string& fresh) override {
    if (auto stored = local_.stored_lease_secret(); !stored || *stored)
      return stored ? expected<std::string>{**stored} : expected<std::string>{stored.error()};
    auto promise = std::make_shared<std::promise<expected<applied>>>();
    auto result = promise->get_future();
    replicate(node_, store_command{{}, 0, propose_lease_secret{fresh}},
              [promise](expected<applied> r) { promise->set_value(std::move(r)); });
    auto r = result.get();
    if (!r)
      return r.error();
    auto stored = local_.stored_lease_secret();
    if (!stored)
      return stored.error();
    if (!*stored)
      return store_error{store_errc::io_error, "the lease secret was applied but is not stored"};
    return **stored;
  }

private:
  raft::raft_node& node_;
  rocksdb_backend& local_;
};

} // namespace

expected<std::unique_ptr<replicated_backend>>
replicated_backend::open(replicated_config config, raft::leadership_callback on_leadership) {
  std::unique_ptr<replicated_backend> self{new replicated_backend};
  store_error err;
  self->local_ = rocksdb_backend::open(config.store_dir, rocksdb_backend::mode::threaded, err);
  if (!self->local_)
    return err;
  auto applied = self->local_->applied_index();
  if (!applied)
    return applied.error();
  self->checkpoints_ = std::make_unique<local_checkpoint_source>(
      *self->local_, config.checkpoint_dir.empty()
                         ? local_checkpoint_source::default_root(config.store_dir)
                         : config.checkpoint_dir);
  self->machine_ =
      std::make_unique<store_machine>(*self->local_, *applied, std::move(config.catch_up));
  // The raft thread asks while it restores a snapshot; during `start` no
  // node is published yet (unknown leader).
  auto* running = &self->running_;
  self->machine_->set_leader_lookup([running] {
    auto* node = running->load();
    return node != nullptr ? node->status().leader : raft::leader_hint{};
  });
  auto node =
      raft::raft_node::start(std::move(config.raft), *self->machine_, std::move(on_leadership));
  if (!node)
    return node.error();
  self->node_ = std::move(*node);
  self->running_.store(self->node_.get());
  self->meta_ = std::make_unique<replicated_meta_store>(*self->node_, *self->local_);
  return self;
}

replicated_backend::~replicated_backend() {
  stop();
}

meta_store& replicated_backend::meta() {
  return *meta_;
}

std::unique_ptr<message_store> replicated_backend::messages(const std::string& queue_id,
                                                            uint16_t shard) {
  return std::make_unique<replicated_message_store>(*node_, *local_, queue_id, shard);
}

void replicated_backend::add_member(uint64_t id, std::string address, raft::change_callback done) {
  auto* node = node_.get();
  node->add_member(id, std::move(address),
                   [node, id, done = std::move(done)](const raft::change_outcome& added) {
                     if (added.code != raft::raft_errc::ok) {
                       done(added);
                       return;
                     }
                     // Queued for the loop's next turn (never re-entrant).
                     node->assign_member(id, raft::member_role::voter, done);
                   });
}

void replicated_backend::remove_member(uint64_t id, raft::change_callback done) {
  node_->remove_member(id, std::move(done));
}

raft::node_status replicated_backend::status() const {
  return node_->status();
}

checkpoint_source& replicated_backend::checkpoints() {
  return *checkpoints_;
}

void replicated_backend::stop() {
  if (machine_)
    machine_->cancel_catch_up();
  if (node_)
    node_->stop();
  if (local_)
    local_->stop();
}

} // namespace sluice::storage
