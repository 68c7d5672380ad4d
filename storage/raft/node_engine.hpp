#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "storage/raft/c_api.hpp"
#include "storage/raft/entry_packer.hpp"
#include "storage/raft/fsm_bridge.hpp"
#include "storage/raft/node_config.hpp"
#include "storage/raft/nodelay_transport.hpp"
#include "storage/raft/state_machine.hpp"

namespace sluice::storage::raft {

/// A membership change or leadership transfer waiting for the raft thread.
struct change_request {
  enum class kind : uint8_t { add, assign, remove, transfer };
  kind what = kind::add;
  uint64_t id = 0;
  std::string address;
  member_role role = member_role::voter;
  change_callback done;
};

/// The inside of a `raft_node`: one libuv loop, raft's libuv I/O and TCP
/// transport, the raft instance, and the inbox other threads fill.
///
/// Threads: `open()` and `run()` run on the raft thread, as does every raft
/// call and callback; `submit`, `submit_change`, `request_stop` and `status`
/// may be called from any thread. Work from other threads only enters the
/// inbox (under a mutex) and wakes the loop with `uv_async_send`; the loop
/// takes it on its next turn. Raft callbacks never call raft: what they start
/// (the next entry once one completes) is also deferred to the next turn,
/// because raft 0.15 crashes on re-entrant calls while stepping down.
class node_engine {
public:
  /// `sm` must outlive the engine.
  node_engine(node_config config, state_machine& sm, leadership_callback on_leadership);
  ~node_engine();
  node_engine(const node_engine&) = delete;
  node_engine& operator=(const node_engine&) = delete;

  /// Raft thread, once: creates the data dir, sets up the loop, raft's I/O
  /// and transport, bootstraps `initial_members` into a pristine data dir,
  /// starts raft (recovering its log and snapshot). Empty on success;
  /// otherwise what failed, with everything torn down again.
  std::string open();

  /// Raft thread, after a successful `open()`: runs the loop until
  /// `request_stop()` has closed raft and every handle.
  void run();

  /// Any thread: queues one submission for the next entry. Once the node is
  /// stopping, fails it at once (on the caller's thread) with `shutting_down`.
  void submit(submission s);

  /// Any thread: queues a membership change or leadership transfer.
  void submit_change(change_request c);

  /// Any thread: the loop fails what waits with `shutting_down`, closes raft
  /// (entries in flight fail with `leadership_lost`: outcome unknown) and
  /// every handle, and `run()` returns. Idempotent.
  void request_stop();

  /// Any thread: the status as of the loop's last turn.
  node_status status() const;

private:
  /// One entry handed to raft_apply, with the callbacks of its submissions.
  struct in_flight_entry {
    struct raft_apply req {};
    node_engine* owner = nullptr;
    std::vector<apply_callback> done;
  };
  /// One membership change or transfer handed to raft.
  struct in_flight_change {
    raft_change req{};
    struct raft_transfer transfer {};
    node_engine* owner = nullptr;
    change_request request;
  };

  std::string open_raft();
  void close_handles();
  /// Raft error `rv` with whatever detail raft or its I/O left for it.
  std::string describe(int rv) const;
  void turn();
  void begin_close();
  void close_raft_once_stored(bool deadline_passed);
  void submit_entries();
  void submit_entry(std::vector<submission> batch);
  void start_change(change_request c);
  void finish_change(in_flight_change* c, raft_errc code, std::string message);
  void update_status();
  leader_hint current_leader();
  void fail_pending(raft_errc code, const std::string& message);

  static void on_wake(uv_async_t* handle);
  static void on_check(uv_check_t* handle);
  static void on_applied(struct raft_apply* req, int status, void* result);
  static void on_changed(raft_change* req, int status);
  static void on_transferred(struct raft_transfer* req);
  static void on_raft_closed(::raft* r);
  static void on_drain_deadline(uv_timer_t* handle);

  const node_config config_;
  const entry_limits limits_;
  leadership_callback on_leadership_;
  fsm_bridge bridge_;

  // Raft thread only.
  uv_loop_t loop_{};
  uv_async_t wake_{};
  uv_check_t check_{};
  uv_timer_t drain_deadline_{};
  nodelay_transport transport_{};
  raft_io io_{};
  ::raft raft_{};
  bool raft_initialised_ = false;
  bool closing_ = false;
  /// Closing, and raft_close waits until this node's log is on its disk.
  bool draining_ = false;
  std::unordered_set<in_flight_entry*> entries_in_flight_;
  std::unordered_set<in_flight_change*> changes_in_flight_;
  uint64_t entries_submitted_ = 0;
  uint64_t commands_submitted_ = 0;
  /// The configuration (committed, uncommitted index) `members_` shows.
  std::pair<uint64_t, uint64_t> members_seen_at_{0, 0};
  std::vector<member> members_;
  node_role last_role_ = node_role::unavailable;
  uint64_t last_leader_ = 0;

  // Shared with other threads, under `mutex_`.
  mutable std::mutex mutex_;
  std::deque<submission> pending_;
  std::vector<change_request> changes_;
  bool stop_requested_ = false;
  bool closed_ = false;
  node_status status_;
};

} // namespace sluice::storage::raft
