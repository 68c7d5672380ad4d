#include "actors/control/queue_directory.hpp"

namespace sluice {

void queue_directory::publish(table t) {
  table_.publish(std::move(t));
}

std::optional<coordinator_actor> queue_directory::find(const std::string& account,
                                                       const std::string& queue_id) const {
  auto snapshot = table_.current();
  auto i = snapshot->find(queue_id);
  if (i == snapshot->end() || i->second.account != account)
    return std::nullopt;
  return i->second.coordinator;
}

std::vector<coordinator_actor> queue_directory::all() const {
  auto snapshot = table_.current();
  std::vector<coordinator_actor> out;
  out.reserve(snapshot->size());
  for (const auto& [id, e] : *snapshot)
    out.push_back(e.coordinator);
  return out;
}

} // namespace sluice
