#include "actors/queue_directory.hpp"

namespace sluice {

void queue_directory::publish(table t) {
  auto next = std::make_shared<const table>(std::move(t));
  std::lock_guard<std::mutex> guard{mtx_};
  current_.swap(next);
}

std::optional<coordinator_actor> queue_directory::find(const std::string& account,
                                                       const std::string& queue_id) const {
  std::shared_ptr<const table> snapshot;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    snapshot = current_;
  }
  auto i = snapshot->find(queue_id);
  if (i == snapshot->end() || i->second.account != account)
    return std::nullopt;
  return i->second.coordinator;
}

} // namespace sluice
