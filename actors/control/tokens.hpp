#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/records.hpp"

namespace sluice {

/// A token to add at start-up, with the secret to show the operator once
/// (empty when the secret came from the environment).
struct new_token {
  storage::token_record record;
  std::string secret_to_print;
};

/// docs/auth.md: with `bootstrap_secret` set, an admin token for all accounts with
/// exactly that secret must exist; without it, the very first start (no
/// tokens at all) creates an admin token whose secret is printed once.
/// Returns the token to add, if any; the caller persists it before serving.
std::optional<new_token> bootstrap_token(const std::vector<storage::token_record>& existing,
                                         std::string_view bootstrap_secret, int64_t now_ms);

/// A fresh token secret: `sluice_` followed by 48 hex chars (192 bits).
std::string new_token_secret();

} // namespace sluice
