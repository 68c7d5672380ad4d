#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "actors/control/published.hpp"

#include "actors/messages.hpp"

namespace sluice {

/// The API tokens the hub knows, readable from any thread without a message
/// round trip: the hub, the only writer, publishes an immutable table after
/// every change; HTTP threads look a presented token's hash up in the current
/// table. A created token works, and a revoked one fails, from the moment the
/// hub publishes — before it answers the create or revoke.
class token_directory {
public:
  /// Principal by hex SHA-256 of the token secret.
  using table = std::unordered_map<std::string, principal>;

  /// Replaces the table readers see.
  void publish(table t);

  /// The principal of `token_hash`, or none.
  std::optional<principal> find(const std::string& token_hash) const;

private:
  published<table> table_;
};

} // namespace sluice
