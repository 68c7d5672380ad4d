#include "actors/token_directory.hpp"

namespace sluice {

void token_directory::publish(table t) {
  auto next = std::make_shared<const table>(std::move(t));
  std::lock_guard<std::mutex> guard{mtx_};
  current_.swap(next);
}

std::optional<principal> token_directory::find(const std::string& token_hash) const {
  std::shared_ptr<const table> snapshot;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    snapshot = current_;
  }
  auto i = snapshot->find(token_hash);
  if (i == snapshot->end())
    return std::nullopt;
  return i->second;
}

} // namespace sluice
