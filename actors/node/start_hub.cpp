#include "actors/node/start_hub.hpp"

#include <chrono>

#include "actors/control/crypto.hpp"
#include "actors/control/tokens.hpp"
#include "actors/node/node.hpp"

namespace sluice {

namespace {

int64_t system_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace

storage::expected<started_hub> start_hub(caf::actor_system& sys, storage::backend& stores,
                                         hub_options opts) {
  auto now_ms = opts.now_ms ? opts.now_ms : system_now_ms;
  auto meta = stores.meta().load();
  if (!meta)
    return storage::store_error{meta.error().code,
                                "cannot recover metadata: " + meta.error().message};
  started_hub out;
  if (opts.bootstrap_admin) {
    if (auto tok = bootstrap_token(meta->tokens, opts.bootstrap_secret, now_ms())) {
      storage::meta_change c;
      c.put_tokens.push_back(tok->record);
      if (auto r = storage::apply_and_wait(stores.meta(), std::move(c)); !r)
        return storage::store_error{r.error().code,
                                    "cannot store the admin token: " + r.error().message};
      out.admin_secret_to_print = tok->secret_to_print;
      meta->tokens.push_back(std::move(tok->record));
    }
  }
  auto secret = opts.lease_secret;
  if (secret.empty()) {
    auto stored = stores.meta().lease_secret(random_hex(32));
    if (!stored)
      return stored.error();
    secret = *stored;
  }
  out.queues = meta->queues.size();
  out.tokens = meta->tokens.size();
  storage_env env{&stores, opts.window, opts.metrics, opts.space};
  auto leases = std::make_shared<const lease_codec>(secret);
  out.node = sys.spawn(node, node_services{opts.node_id, env, leases, now_ms});
  hub_config cfg;
  cfg.env = env;
  cfg.node = out.node;
  cfg.queues = std::move(meta->queues);
  cfg.tokens = std::move(meta->tokens);
  cfg.subscriptions = std::move(meta->subscriptions);
  cfg.scripts = std::move(meta->scripts);
  cfg.audit = std::move(meta->audit);
  cfg.redrives = std::move(meta->redrives);
  cfg.audit_retention = opts.audit_retention;
  cfg.plugins = std::move(opts.plugins);
  cfg.metrics = opts.metrics;
  cfg.directory = std::move(opts.tokens);
  cfg.queues_directory = std::move(opts.queues);
  cfg.leases = std::move(leases);
  cfg.now_ms = now_ms;
  out.hub = sys.spawn(hub, std::move(cfg));
  return out;
}

} // namespace sluice
