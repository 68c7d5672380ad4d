// The hub's script handlers (docs/plugins.md): deployed instances of a consumer
// plugin, persisted in `meta`. Redeploying a script reaches the worker
// consumers that name it at once.
#include <algorithm>
#include <vector>

#include "actors/control/hub_handlers.hpp"
#include "actors/control/script_rules.hpp"
#include "actors/errc.hpp"

namespace sluice::hub_handlers {

using storage::script_record;

namespace {

caf::error not_found(const std::string& name) {
  return make_error(errc::script_not_found,
                    "script '" + name + "' is not deployed in this account");
}

/// The queues whose worker consumer names script `name`.
std::vector<const storage::queue_record*> users_of(self_ptr self, const std::string& account,
                                                   const std::string& name) {
  std::vector<const storage::queue_record*> out;
  auto a = self->state.accounts.find(account);
  if (a == self->state.accounts.end())
    return out;
  for (const auto& [id, q] : a->second.by_id)
    for (const auto& c : q.consumers)
      if (c.type == storage::consumer_type::worker && c.script_name == name)
        out.push_back(&q);
  return out;
}

} // namespace

const script_record* find_script(self_ptr self, const std::string& account,
                                 const std::string& name) {
  auto a = self->state.scripts.find(account);
  if (a == self->state.scripts.end())
    return nullptr;
  auto s = a->second.find(name);
  return s == a->second.end() ? nullptr : &s->second;
}

caf::result<script_record> on_put_script(self_ptr self, const put_script& req) {
  auto& st = self->state;
  script_record rec;
  const auto* old = find_script(self, req.account, req.name);
  if (old != nullptr)
    rec = *old;
  else
    rec.created_ms = st.now_ms();
  rec.account = req.account;
  rec.name = req.name;
  rec.plugin = req.plugin;
  rec.env = req.env;
  std::sort(rec.env.begin(), rec.env.end());
  rec.modified_ms = st.now_ms();
  if (auto err = check_script(rec); !err.empty())
    return make_error(errc::invalid_request, err);
  storage::meta_change c;
  c.put_scripts.push_back(rec);
  auto details = details_of(rec);
  if (old != nullptr)
    mark_changed(*old, rec, details);
  details.emplace_back("redeployed", old != nullptr ? "true" : "false");
  auto rp = self->make_response_promise<script_record>();
  submit_audited(self, std::move(c),
                 {audit_entry(self, rec.account, req.caller, audit_action::deploy_script, "script",
                              rec.name, rec.name, std::move(details))},
                 "could not store the script", [self, rec, rp](const caf::error& err) mutable {
                   if (err) {
                     rp.deliver(err);
                     return;
                   }
                   self->state.scripts[rec.account][rec.name] = rec;
                   // Its consumers run the new version from their next batch.
                   for (const auto* q : users_of(self, rec.account, rec.name))
                     notify_consumer(self, *q);
                   rp.deliver(rec);
                 });
  return rp;
}

caf::result<script_record> on_get_script(self_ptr self, const get_script& req) {
  if (auto* s = find_script(self, req.account, req.name))
    return *s;
  return not_found(req.name);
}

script_list on_list_scripts(self_ptr self, const list_scripts& req) {
  script_list out;
  if (auto a = self->state.scripts.find(req.account); a != self->state.scripts.end())
    for (const auto& [name, rec] : a->second)
      out.push_back(rec);
  return out;
}

caf::result<caf::ok_atom> on_delete_script(self_ptr self, const delete_script& req) {
  auto* found = find_script(self, req.account, req.name);
  if (found == nullptr)
    return not_found(req.name);
  if (auto users = users_of(self, req.account, req.name); !users.empty())
    return make_error(errc::script_in_use,
                      "script '" + req.name + "' is used by the consumer of queue '"
                          + users.front()->name
                          + "'; remove that consumer first (sluice queues consumer remove "
                          + users.front()->name + " " + req.name + ")");
  // Gone at once, so that no consumer can name it while the delete is written.
  auto before = *found;
  self->state.scripts[req.account].erase(req.name);
  storage::meta_change c;
  c.erase_scripts.push_back({req.account, req.name});
  auto rp = self->make_response_promise<caf::ok_atom>();
  submit_audited(self, std::move(c),
                 {audit_entry(self, req.account, req.caller, audit_action::delete_script, "script",
                              before.name, before.name, details_of(before))},
                 "could not delete the script", [self, before, rp](const caf::error& err) mutable {
                   if (err) {
                     self->state.scripts[before.account][before.name] = before;
                     rp.deliver(err);
                     return;
                   }
                   rp.deliver(caf::ok_atom::value);
                 });
  return rp;
}

} // namespace sluice::hub_handlers
