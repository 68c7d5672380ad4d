#include "storage/raft/fsm_bridge.hpp"

#include "storage/raft/entry_codec.hpp"

namespace sluice::storage::raft {

fsm_bridge::fsm_bridge(state_machine& sm) : sm_(sm), last_applied_(sm.applied_index()) {
  // Version 2 without snapshot_finalize: raft frees the snapshot buffers.
  fsm_.version = 2;
  fsm_.data = this;
  fsm_.apply = &fsm_bridge::on_apply;
  fsm_.snapshot = &fsm_bridge::on_snapshot;
  fsm_.restore = &fsm_bridge::on_restore;
  fsm_.snapshot_finalize = nullptr;
}

int fsm_bridge::on_apply(raft_fsm* fsm, const raft_buffer* buf, void** result) {
  auto& self = *static_cast<fsm_bridge*>(fsm->data);
  *result = nullptr;
  uint64_t index = self.raft_->last_applied + 1;
  if (index <= self.last_applied_) {
    ++self.replays_skipped_;
    return 0;
  }
  std::string_view data(static_cast<const char*>(buf->base), buf->len);
  // A malformed entry is corruption: refusing it stops this node's applied
  // index where it is (visible in its status) instead of diverging.
  if (!decode_entry(data, self.commands_))
    return RAFT_MALFORMED;
  self.sm_.apply(index, self.commands_);
  self.last_applied_ = index;
  ++self.entries_applied_;
  return 0;
}

int fsm_bridge::on_snapshot(raft_fsm* fsm, raft_buffer* bufs[], unsigned* n_bufs) {
  auto& self = *static_cast<fsm_bridge*>(fsm->data);
  std::string state = self.sm_.snapshot();
  auto* array = static_cast<raft_buffer*>(raft_malloc(sizeof(raft_buffer)));
  if (array == nullptr)
    return RAFT_NOMEM;
  array[0] = encode_snapshot(self.raft_->last_applied, state);
  if (array[0].base == nullptr) {
    raft_free(array);
    return RAFT_NOMEM;
  }
  *bufs = array;
  *n_bufs = 1;
  return 0;
}

int fsm_bridge::on_restore(raft_fsm* fsm, raft_buffer* buf) {
  auto& self = *static_cast<fsm_bridge*>(fsm->data);
  uint64_t index = 0;
  std::string_view state;
  // On failure raft frees the buffer itself (installSnapshotCb's discard,
  // snapshotDestroy at start); on success the fsm owns it.
  if (!decode_snapshot({static_cast<const char*>(buf->base), buf->len}, index, state))
    return RAFT_MALFORMED;
  if (index > self.last_applied_) {
    if (!self.sm_.restore(index, state))
      return RAFT_IOERR;
    self.last_applied_ = index;
  }
  raft_free(buf->base);
  return 0;
}

} // namespace sluice::storage::raft
