#include "actors/control/token_directory.hpp"

namespace sluice {

void token_directory::publish(table t) {
  table_.publish(std::move(t));
}

std::optional<principal> token_directory::find(const std::string& token_hash) const {
  auto snapshot = table_.current();
  auto i = snapshot->find(token_hash);
  if (i == snapshot->end())
    return std::nullopt;
  return i->second;
}

} // namespace sluice
