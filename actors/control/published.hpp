#pragma once

#include <memory>
#include <mutex>

namespace sluice {

/// An immutable table one writer replaces and any thread reads without a
/// message round trip (the hub's token and queue directories). Readers get
/// a snapshot that stays valid while they hold it. Thread-safe.
template <class Table>
class published {
public:
  /// Replaces the table readers see.
  void publish(Table t) {
    auto next = std::make_shared<const Table>(std::move(t));
    std::lock_guard<std::mutex> guard{mtx_};
    current_.swap(next);
  }

  /// The table as last published.
  std::shared_ptr<const Table> current() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return current_;
  }

private:
  mutable std::mutex mtx_; // guards the pointer only; tables are immutable
  std::shared_ptr<const Table> current_ = std::make_shared<const Table>();
};

} // namespace sluice
