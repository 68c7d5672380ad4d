#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "storage/codec.hpp"
#include "storage/raft/state_machine.hpp"

namespace sluice::test {

/// A state machine for the raft tests: records every applied entry (index
/// and commands) and counts how often each index was applied. With a file
/// path it is persistent like the real store will be: each entry is appended
/// to the file with its index, `applied_index()` is the last one there, and
/// a new instance on the same file starts from its contents. Thread-safe:
/// raft applies on its thread while the test reads.
class recording_machine : public storage::raft::state_machine {
public:
  struct entry {
    uint64_t index = 0;
    std::vector<std::string> commands;
  };

  explicit recording_machine(std::string file = {}) : file_(std::move(file)) {
    if (file_.empty())
      return;
    std::ifstream in(file_, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    storage::decoder d(bytes);
    while (!d.at_end() && d.ok()) {
      entry e = read_entry(d);
      if (d.ok())
        entries_.push_back(std::move(e));
    }
  }

  uint64_t applied_index() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return file_.empty() || entries_.empty() ? 0 : entries_.back().index;
  }

  void apply(uint64_t index, const std::vector<std::string_view>& commands) override {
    entry e{index, {commands.begin(), commands.end()}};
    std::lock_guard<std::mutex> lock(mutex_);
    ++apply_counts_[index];
    if (!file_.empty()) {
      storage::encoder enc;
      write_entry(enc, e);
      std::ofstream out(file_, std::ios::binary | std::ios::app);
      out << enc.take();
    }
    entries_.push_back(std::move(e));
  }

  std::string snapshot() override {
    std::lock_guard<std::mutex> lock(mutex_);
    storage::encoder enc;
    for (const auto& e : entries_)
      write_entry(enc, e);
    return enc.take();
  }

  bool restore(uint64_t index, std::string_view data) override {
    std::lock_guard<std::mutex> lock(mutex_);
    restored_at_.push_back(index);
    entries_.clear();
    storage::decoder d(data);
    while (!d.at_end() && d.ok())
      entries_.push_back(read_entry(d));
    if (!file_.empty()) {
      std::ofstream out(file_, std::ios::binary | std::ios::trunc);
      out << std::string(data);
    }
    return true;
  }

  /// Every command applied, in order.
  std::vector<std::string> commands() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    for (const auto& e : entries_)
      out.insert(out.end(), e.commands.begin(), e.commands.end());
    return out;
  }

  std::vector<entry> entries() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_;
  }

  /// How often `apply` saw each index (in this instance's lifetime).
  std::map<uint64_t, int> apply_counts() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return apply_counts_;
  }

  /// The snapshot indexes `restore` was called with.
  std::vector<uint64_t> restored_at() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return restored_at_;
  }

private:
  static void write_entry(storage::encoder& enc, const entry& e) {
    enc.u64(e.index).u32(static_cast<uint32_t>(e.commands.size()));
    for (const auto& c : e.commands)
      enc.str(c);
  }
  static entry read_entry(storage::decoder& d) {
    entry e;
    e.index = d.u64();
    uint32_t n = d.u32();
    for (uint32_t i = 0; i < n && d.ok(); ++i)
      e.commands.push_back(d.str());
    return e;
  }

  const std::string file_;
  mutable std::mutex mutex_;
  std::vector<entry> entries_;
  std::map<uint64_t, int> apply_counts_;
  std::vector<uint64_t> restored_at_;
};

} // namespace sluice::test
