#include "actors/type_ids.hpp"

#include "actors/errc.hpp"

namespace sluice {

void add_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::sluice>();
  cfg.add_error_category(errc_category, [](uint8_t code, caf::atom_value, const caf::message& ctx) {
    return "sluice error " + std::to_string(code) + ": " + caf::to_string(ctx);
  });
}

} // namespace sluice
