#include "actors/control/tokens.hpp"

#include <algorithm>

#include "actors/control/crypto.hpp"

namespace sluice {

std::string new_token_secret() {
  return "sluice_" + random_hex(24);
}

std::optional<new_token> bootstrap_token(const std::vector<storage::token_record>& existing,
                                         std::string_view bootstrap_secret, int64_t now_ms) {
  new_token out;
  if (bootstrap_secret.empty()) {
    if (!existing.empty())
      return std::nullopt;
    out.secret_to_print = new_token_secret();
    out.record.name = "admin (first start)";
  } else {
    auto hash = sha256_hex(bootstrap_secret);
    auto same = [&](const storage::token_record& t) { return t.hash == hash; };
    if (std::any_of(existing.begin(), existing.end(), same))
      return std::nullopt;
    out.record.name = "bootstrap (SLUICE_BOOTSTRAP_TOKEN)";
  }
  out.record.id = random_hex(16);
  out.record.hash = sha256_hex(bootstrap_secret.empty() ? std::string_view{out.secret_to_print}
                                                        : bootstrap_secret);
  out.record.account = std::string{storage::all_accounts};
  out.record.permissions = storage::perm_admin | storage::perm_queues_read
                           | storage::perm_queues_write | storage::perm_events_publish;
  out.record.created_ms = now_ms;
  return out;
}

} // namespace sluice
