#include "storage/raft/node_engine.hpp"

#include <filesystem>
#include <utility>

#include "storage/raft/entry_codec.hpp"
#include "storage/raft/raft_codes.hpp"

namespace sluice::storage::raft {

node_engine::node_engine(node_config config, state_machine& sm, leadership_callback on_leadership)
  : config_(std::move(config)), limits_{config_.max_commands_per_entry, config_.max_entry_bytes},
    on_leadership_(std::move(on_leadership)), bridge_(sm) {
  status_.id = config_.id;
}

node_engine::~node_engine() = default;

std::string node_engine::open() {
  std::error_code ec;
  std::filesystem::create_directories(config_.data_dir, ec);
  if (ec)
    return "cannot create the raft data dir " + config_.data_dir + ": " + ec.message();
  int rv = uv_loop_init(&loop_);
  if (rv != 0)
    return std::string("uv_loop_init: ") + uv_strerror(rv);
  uv_async_init(&loop_, &wake_, &node_engine::on_wake);
  wake_.data = this;
  uv_check_init(&loop_, &check_);
  check_.data = this;
  uv_check_start(&check_, &node_engine::on_check);
  uv_timer_init(&loop_, &drain_deadline_);
  drain_deadline_.data = this;
  std::string error = open_raft();
  if (!error.empty()) {
    // Either raft's close callback closes the handles, or nothing of raft
    // was set up and they are closed here; then the loop drains.
    if (!raft_initialised_)
      close_handles();
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }
  return error;
}

std::string node_engine::open_raft() {
  int rv = nodelay_transport_init(transport_, &loop_);
  if (rv != 0)
    return std::string("raft_uv_tcp_init: ") + raft_strerror(rv);
  rv = raft_uv_init(&io_, &loop_, config_.data_dir.c_str(), &transport_.transport);
  if (rv != 0) {
    std::string error = "raft I/O in " + config_.data_dir + ": " + io_.errmsg;
    nodelay_transport_close(transport_);
    return error;
  }
  rv = raft_init(&raft_, &io_, bridge_.fsm(), config_.id, config_.address.c_str());
  if (rv != 0) {
    std::string error = "raft_init: " + describe(rv);
    raft_uv_close(&io_);
    nodelay_transport_close(transport_);
    return error;
  }
  raft_initialised_ = true;
  raft_.data = this;
  bridge_.attach(&raft_);
  raft_set_election_timeout(&raft_, config_.election_timeout_ms);
  raft_set_heartbeat_timeout(&raft_, config_.heartbeat_timeout_ms);
  raft_set_snapshot_threshold(&raft_, config_.snapshot_threshold);
  raft_set_snapshot_trailing(&raft_, config_.snapshot_trailing);
  raft_set_install_snapshot_timeout(&raft_, config_.install_snapshot_timeout_ms);
  std::string error;
  if (!config_.initial_members.empty()) {
    raft_configuration conf;
    raft_configuration_init(&conf);
    for (const auto& m : config_.initial_members) {
      rv = raft_configuration_add(&conf, m.id, m.address.c_str(), to_raft_role(m.role));
      if (rv != 0) {
        error =
            "initial member " + std::to_string(m.id) + " (" + m.address + "): " + raft_strerror(rv);
        break;
      }
    }
    // Bootstrapping writes the first configuration only into a pristine
    // data dir; otherwise raft recovers what is there.
    if (error.empty()) {
      rv = raft_bootstrap(&raft_, &conf);
      if (rv != 0 && rv != RAFT_CANTBOOTSTRAP)
        error = "raft_bootstrap: " + describe(rv);
    }
    raft_configuration_close(&conf);
  }
  if (error.empty()) {
    rv = raft_start(&raft_);
    if (rv != 0)
      error = "raft_start (listening on " + config_.address + "): " + describe(rv);
  }
  if (!error.empty()) {
    closing_ = true;
    raft_close(&raft_, &node_engine::on_raft_closed);
  }
  return error;
}

std::string node_engine::describe(int rv) const {
  // Raft keeps the detail in its own or its I/O's message buffer, if anywhere.
  std::string out = raft_strerror(rv);
  for (const char* detail : {raft_.errmsg, io_.errmsg, transport_.transport.errmsg})
    if (detail[0] != '\0')
      return out + ": " + detail;
  return out;
}

void node_engine::close_handles() {
  uv_close(reinterpret_cast<uv_handle_t*>(&wake_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&check_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&drain_deadline_), nullptr);
}

void node_engine::run() {
  uv_run(&loop_, UV_RUN_DEFAULT);
  // Raft answers every request it holds while closing; whatever it did not
  // is failed here, now that nothing references it any more.
  for (auto* e : entries_in_flight_) {
    apply_outcome out{raft_errc::shutting_down, 0, {}, "the raft node shut down"};
    for (auto& done : e->done)
      if (done)
        done(out);
    delete e;
  }
  entries_in_flight_.clear();
  for (auto* c : changes_in_flight_) {
    if (c->request.done)
      c->request.done({raft_errc::shutting_down, {}, "the raft node shut down"});
    delete c;
  }
  changes_in_flight_.clear();
  uv_loop_close(&loop_);
}

void node_engine::submit(submission s) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!closed_) {
      pending_.push_back(std::move(s));
      // Under the lock: the loop closes the handle only after setting
      // `closed_` under the same lock.
      uv_async_send(&wake_);
      return;
    }
  }
  if (s.done)
    s.done({raft_errc::shutting_down, 0, {}, shutting_down_text});
}

void node_engine::submit_change(change_request c) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!closed_) {
      changes_.push_back(std::move(c));
      uv_async_send(&wake_);
      return;
    }
  }
  if (c.done)
    c.done({raft_errc::shutting_down, {}, shutting_down_text});
}

void node_engine::request_stop() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_ || stop_requested_)
    return;
  stop_requested_ = true;
  uv_async_send(&wake_);
}

node_status node_engine::status() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return status_;
}

void node_engine::on_wake(uv_async_t* handle) {
  static_cast<node_engine*>(handle->data)->turn();
}

void node_engine::turn() {
  if (closing_)
    return;
  std::vector<change_request> changes;
  bool stop = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    changes.swap(changes_);
    stop = stop_requested_;
  }
  if (stop) {
    for (auto& c : changes)
      if (c.done)
        c.done({raft_errc::shutting_down, {}, shutting_down_text});
    begin_close();
    return;
  }
  for (auto& c : changes)
    start_change(std::move(c));
  submit_entries();
}

void node_engine::begin_close() {
  closing_ = true;
  std::deque<submission> pending;
  std::vector<change_request> changes;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    pending.swap(pending_);
    changes.swap(changes_);
    status_.role = node_role::unavailable;
    status_.leader = {};
  }
  for (auto& s : pending)
    if (s.done)
      s.done({raft_errc::shutting_down, 0, {}, shutting_down_text});
  for (auto& c : changes)
    if (c.done)
      c.done({raft_errc::shutting_down, {}, shutting_down_text});
  if (on_leadership_ && last_role_ != node_role::unavailable)
    on_leadership_(status());
  last_role_ = node_role::unavailable;
  draining_ = true;
  uv_timer_start(&drain_deadline_, &node_engine::on_drain_deadline,
                 2 * uint64_t{config_.election_timeout_ms}, 0);
  close_raft_once_stored(false);
}

void node_engine::close_raft_once_stored(bool deadline_passed) {
  // Raft 0.15 closing a leader with log appends still on their way to disk
  // cancels them and truncates its log once per append — past its end from
  // the second on: a double free (an assertion in a debug build). So a
  // leader closes only once everything in its log is stored (the check
  // handle looks after every turn), or, with a disk that no longer answers,
  // after the deadline. A follower ignores cancelled appends: it closes now.
  if (!draining_)
    return;
  bool appending = raft_state(&raft_) == RAFT_LEADER && raft_.last_stored < raft_last_index(&raft_);
  if (appending && !deadline_passed)
    return;
  draining_ = false;
  uv_timer_stop(&drain_deadline_);
  raft_close(&raft_, &node_engine::on_raft_closed);
}

void node_engine::on_drain_deadline(uv_timer_t* handle) {
  static_cast<node_engine*>(handle->data)->close_raft_once_stored(true);
}

void node_engine::on_raft_closed(::raft* r) {
  auto& self = *static_cast<node_engine*>(r->data);
  raft_uv_close(&self.io_);
  nodelay_transport_close(self.transport_);
  self.close_handles();
}

leader_hint node_engine::current_leader() {
  raft_id id = 0;
  const char* address = nullptr;
  raft_leader(&raft_, &id, &address);
  if (id == 0)
    return {};
  return {id, address != nullptr ? address : ""};
}

void node_engine::fail_pending(raft_errc code, const std::string& message) {
  std::deque<submission> pending;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending.swap(pending_);
  }
  if (pending.empty())
    return;
  apply_outcome out{code, 0, current_leader(), message};
  for (auto& s : pending)
    if (s.done)
      s.done(out);
}

void node_engine::submit_entries() {
  if (raft_state(&raft_) != RAFT_LEADER) {
    fail_pending(raft_errc::not_leader, not_leader_text);
    return;
  }
  while (entries_in_flight_.size() < config_.max_entries_in_flight) {
    std::vector<submission> batch;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      batch = take_entry(pending_, limits_);
    }
    if (batch.empty())
      return;
    submit_entry(std::move(batch));
  }
}

void node_engine::submit_entry(std::vector<submission> batch) {
  size_t count = 0;
  size_t bytes = 0;
  for (const auto& s : batch) {
    count += s.commands.size();
    bytes += s.bytes();
  }
  auto* entry = new in_flight_entry;
  entry->owner = this;
  entry->req.data = entry;
  entry->done.reserve(batch.size());
  raft_buffer buf{};
  {
    entry_writer writer(count, bytes);
    if (writer.ok()) {
      for (auto& s : batch)
        for (const auto& c : s.commands)
          writer.add(c);
      buf = writer.release();
    }
  }
  for (auto& s : batch)
    entry->done.push_back(std::move(s.done));
  int rv = buf.base != nullptr ? raft_apply(&raft_, &entry->req, &buf, 1, &node_engine::on_applied)
                               : RAFT_NOMEM;
  if (rv != 0) {
    // Before raft appended the entry (not leader, or a transfer under way)
    // the buffer is still ours; later failures free it inside raft.
    if (rv == RAFT_NOTLEADER && buf.base != nullptr)
      raft_free(buf.base);
    apply_outcome out{from_raft_code(rv), 0, current_leader(),
                      rv == RAFT_NOTLEADER ? not_leader_text : raft_strerror(rv)};
    for (auto& done : entry->done)
      if (done)
        done(out);
    delete entry;
    return;
  }
  entries_in_flight_.insert(entry);
  ++entries_submitted_;
  commands_submitted_ += count;
}

void node_engine::on_applied(struct raft_apply* req, int status, void* /*result*/) {
  auto* entry = static_cast<in_flight_entry*>(req->data);
  auto& self = *entry->owner;
  self.entries_in_flight_.erase(entry);
  apply_outcome out;
  if (status == 0) {
    out.index = req->index;
  } else {
    out.code = from_raft_code(status);
    out.message = self.closing_ ? "the raft node shut down with the entry in flight: its outcome "
                                  "is unknown (a new leader may still apply it)"
                                : "leadership was lost with the entry in flight: its outcome is "
                                  "unknown (the new leader may still apply it)";
  }
  for (auto& done : entry->done)
    if (done)
      done(out);
  delete entry;
  // A slot is free: the next entry goes on the next turn, not from here.
  if (!self.closing_)
    uv_async_send(&self.wake_);
}

void node_engine::on_check(uv_check_t* handle) {
  auto& self = *static_cast<node_engine*>(handle->data);
  if (self.draining_)
    self.close_raft_once_stored(false);
  else if (!self.closing_ && self.raft_initialised_)
    self.update_status();
}

void node_engine::update_status() {
  node_status s;
  s.id = config_.id;
  s.role = from_raft_state(raft_state(&raft_));
  s.leader = current_leader();
  s.term = raft_.current_term;
  s.commit_index = raft_.commit_index;
  s.last_applied = raft_last_applied(&raft_);
  s.last_index = raft_last_index(&raft_);
  s.entries_submitted = entries_submitted_;
  s.commands_submitted = commands_submitted_;
  s.replays_skipped = bridge_.replays_skipped();
  std::pair<uint64_t, uint64_t> config_at{raft_.configuration_index,
                                          raft_.configuration_uncommitted_index};
  if (config_at != members_seen_at_ || members_.empty()) {
    members_seen_at_ = config_at;
    members_.clear();
    for (unsigned i = 0; i < raft_.configuration.n; ++i) {
      const auto& server = raft_.configuration.servers[i];
      members_.push_back({server.id, server.address, from_raft_role(server.role)});
    }
  }
  s.members = members_;
  bool changed = s.role != last_role_ || s.leader.id != last_leader_;
  last_role_ = s.role;
  last_leader_ = s.leader.id;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    status_ = s;
  }
  if (changed) {
    // A new role decides what waiting submissions get: take them next turn.
    uv_async_send(&wake_);
    if (on_leadership_)
      on_leadership_(s);
  }
}

} // namespace sluice::storage::raft
