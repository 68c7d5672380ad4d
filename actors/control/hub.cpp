#include "actors/control/hub.hpp"

#include <algorithm>
#include <chrono>

#include "actors/control/hub_handlers.hpp"
#include "actors/events/event_router.hpp"

namespace sluice {

using storage::queue_record;

storage::queue_record* hub_state::find(const std::string& account, const std::string& id) {
  auto a = accounts.find(account);
  if (a == accounts.end())
    return nullptr;
  auto q = a->second.by_id.find(id);
  return q == a->second.by_id.end() ? nullptr : &q->second;
}

void hub_state::put(const queue_record& q) {
  auto& a = accounts[q.account];
  a.by_id[q.id] = q;
  a.id_by_name[q.name] = q.id;
  publish_queues();
}

void hub_state::publish_queues() const {
  if (!started)
    return; // the start publishes once, when every queue is there
  queue_directory::table t;
  for (const auto& [account, qs] : accounts)
    for (const auto& [id, q] : qs.by_id)
      if (auto c = coordinators.find(id); c != coordinators.end())
        t.emplace(id, queue_directory::entry{account, c->second});
  queues_directory->publish(std::move(t));
}

void hub_state::publish_tokens() const {
  token_directory::table t;
  for (const auto& [hash, rec] : tokens_by_hash)
    t.emplace(hash, principal{rec.id, rec.account, rec.permissions});
  directory->publish(std::move(t));
}

void hub_state::remove(const std::string& account, const std::string& id) {
  auto a = accounts.find(account);
  if (a == accounts.end())
    return;
  auto q = a->second.by_id.find(id);
  if (q == a->second.by_id.end())
    return;
  a->second.id_by_name.erase(q->second.name);
  a->second.by_id.erase(q);
  publish_queues();
}

queue_list hub_state::list(const std::string& account, const std::string& only_name) const {
  queue_list out;
  auto a = accounts.find(account);
  if (a == accounts.end())
    return out;
  if (!only_name.empty()) {
    auto i = a->second.id_by_name.find(only_name);
    if (i != a->second.id_by_name.end())
      out.push_back(a->second.by_id.at(i->second));
    return out;
  }
  out.reserve(a->second.by_id.size());
  for (const auto& [id, q] : a->second.by_id)
    out.push_back(q);
  std::sort(out.begin(), out.end(), [](const queue_record& x, const queue_record& y) {
    return x.created_ms != y.created_ms ? x.created_ms < y.created_ms : x.name < y.name;
  });
  return out;
}

hub_actor::behavior_type hub(hub_actor::stateful_pointer<hub_state> self, hub_config cfg) {
  using namespace hub_handlers;
  auto& st = self->state;
  st.persist = persister{cfg.env.metrics};
  st.env = cfg.env;
  st.node = cfg.node;
  self->link_to(st.node);
  st.leases = cfg.leases;
  st.now_ms = cfg.now_ms ? std::move(cfg.now_ms) : [] {
    using namespace std::chrono;
    return static_cast<int64_t>(
        duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
  };
  st.directory = cfg.directory ? cfg.directory : std::make_shared<token_directory>();
  st.queues_directory =
      cfg.queues_directory ? cfg.queues_directory : std::make_shared<queue_directory>();
  for (auto& t : cfg.tokens)
    st.tokens_by_hash.emplace(t.hash, std::move(t));
  st.publish_tokens();
  st.catalog = cfg.catalog ? cfg.catalog : &events::catalog::builtin();
  st.router = self->spawn<caf::linked>(event_router, st.catalog, st.now_ms, cfg.metrics);
  for (auto& s : cfg.subscriptions)
    st.subscriptions.emplace(s.id, std::move(s));
  for (auto& s : cfg.scripts)
    st.scripts[s.account].emplace(s.name, std::move(s));
  st.audit = audit_log{std::move(cfg.audit), cfg.audit_retention, st.now_ms()};
  st.plugins = cfg.plugins;
  st.metrics = cfg.metrics;
  for (auto& q : cfg.queues) {
    st.put(q);
    spawn_coordinator(self, q);
  }
  // Consumers name their dead-letter queue: wire them up once all exist.
  for (const auto& q : cfg.queues)
    if (!q.consumers.empty())
      notify_consumer(self, q);
  announce_subscriptions(self);
  st.started = true;
  st.publish_queues();
  resume_redrives(self, std::move(cfg.redrives));
  return {
      [=](const create_queue& req) { return on_create(self, req); },
      [=](const list_queues& req) { return self->state.list(req.account, req.name); },
      [=](const get_queue& req) { return on_get(self, req); },
      [=](const update_queue& req) { return on_update(self, req); },
      [=](const delete_queue& req) { return on_delete(self, req); },
      [=](const create_token& req) { return on_create_token(self, req); },
      [=](const list_tokens& req) { return on_list_tokens(self, req); },
      [=](const revoke_token& req) { return on_revoke_token(self, req); },
      [=](const put_consumer& req) { return on_put_consumer(self, req); },
      [=](const delete_consumer& req) { return on_delete_consumer(self, req); },
      [=](const purge_queue& req) { return on_purge(self, req); },
      [=](const create_subscription& req) { return on_create_subscription(self, req); },
      [=](const update_subscription& req) { return on_update_subscription(self, req); },
      [=](const get_subscription& req) { return on_get_subscription(self, req); },
      [=](const delete_subscription& req) { return on_delete_subscription(self, req); },
      [=](const list_subscriptions& req) { return on_list_subscriptions(self, req); },
      [=](publish_events& req) { return self->delegate(self->state.router, std::move(req)); },
      [=](const put_script& req) { return on_put_script(self, req); },
      [=](const get_script& req) { return on_get_script(self, req); },
      [=](const list_scripts& req) { return on_list_scripts(self, req); },
      [=](const delete_script& req) { return on_delete_script(self, req); },
      [=](const list_audit& req) { return self->state.audit.query(req); },
      [=](const start_redrive& req) { return on_start_redrive(self, req); },
      [=](const get_redrive& req) { return on_get_redrive(self, req); },
      [=](const cancel_redrive& req) { return on_cancel_redrive(self, req); },
      [=](const redrive_progress& msg) { on_redrive_progress(self, msg); },
      [=](const write_done& msg) { self->state.persist.complete(msg); },
  };
}

} // namespace sluice
