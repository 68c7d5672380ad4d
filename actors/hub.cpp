#include "actors/hub.hpp"

#include <algorithm>
#include <chrono>

#include "actors/coordinator.hpp"
#include "actors/crypto.hpp"
#include "actors/errc.hpp"
#include "actors/queue_rules.hpp"

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

namespace {

std::string not_found_message(const std::string& id) {
  return "queue '" + id + "' does not exist in this account";
}

void spawn_coordinator(hub_actor::stateful_pointer<hub_state> self, const queue_record& q) {
  self->state.coordinators[q.id] = self->spawn<caf::linked>(coordinator, q);
}

void stop_coordinator(hub_actor::stateful_pointer<hub_state> self, const std::string& id) {
  auto i = self->state.coordinators.find(id);
  if (i == self->state.coordinators.end())
    return;
  self->unlink_from(i->second);
  self->send_exit(i->second, caf::exit_reason::user_shutdown);
  self->state.coordinators.erase(i);
}

/// Persists `q` and replies with it once synced; on a storage failure the
/// in-memory change is rolled back to `before` (or removed if there was none).
void persist_queue(hub_actor::stateful_pointer<hub_state> self, const queue_record& q,
                   caf::optional<queue_record> before,
                   caf::typed_response_promise<queue_record> rp) {
  storage::batch b;
  b.put(storage::family::meta, storage::queue_key(q.account, q.id), storage::encode(q));
  self->state.persist.submit(
    caf::actor_cast<caf::actor>(self), std::move(b),
    [self, q, before, rp](const std::string& error) mutable {
      if (!error.empty()) {
        if (before)
          self->state.put(*before);
        else
          self->state.remove(q.account, q.id);
        rp.deliver(make_error(errc::storage_failure, "could not persist queue: " + error));
        return;
      }
      auto c = self->state.coordinators.find(q.id);
      if (c == self->state.coordinators.end())
        spawn_coordinator(self, q);
      else
        self->send(c->second, q);
      rp.deliver(q);
    });
}

} // namespace

hub_actor::behavior_type hub(hub_actor::stateful_pointer<hub_state> self, hub_config cfg) {
  auto& st = self->state;
  st.persist = persister{*cfg.writer};
  st.now_ms = cfg.now_ms ? std::move(cfg.now_ms) : [] {
    using namespace std::chrono;
    return static_cast<int64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
  };
  for (auto& t : cfg.tokens)
    st.tokens_by_hash.emplace(t.hash, std::move(t));
  for (auto& q : cfg.queues) {
    st.put(q);
    spawn_coordinator(self, q);
  }
  return {
    [=](const authenticate& req) -> caf::result<principal> {
      auto i = self->state.tokens_by_hash.find(req.token_hash);
      if (i == self->state.tokens_by_hash.end())
        return make_error(errc::unauthenticated,
                          "the API token is not valid; send 'Authorization: Bearer <token>' "
                          "with a token from 'sluice tokens create' or the admin token");
      return principal{i->second.id, i->second.account, i->second.permissions};
    },
    [=](const create_queue& req) -> caf::result<queue_record> {
      auto& s = self->state;
      if (auto err = check_queue_name(req.name); !err.empty())
        return make_error(errc::invalid_request, err);
      queue_record q;
      if (auto err = apply_settings(req.settings, true, q.settings); !err.empty())
        return make_error(errc::invalid_request, err);
      auto& acct = s.accounts[req.account];
      if (acct.id_by_name.count(req.name) > 0)
        return make_error(errc::queue_name_taken,
                          "a queue named '" + req.name + "' already exists in this account");
      if (acct.by_id.size() >= max_queues_per_account)
        return make_error(errc::queue_limit,
                          "this account already has the maximum of "
                            + std::to_string(max_queues_per_account)
                            + " queues; delete one first");
      q.account = req.account;
      q.id = random_hex(16);
      q.name = req.name;
      q.created_ms = q.modified_ms = s.now_ms();
      s.put(q); // reserve the name now; rolled back if the write fails
      auto rp = self->make_response_promise<queue_record>();
      persist_queue(self, q, caf::none, rp);
      return rp;
    },
    [=](const list_queues& req) { return self->state.list(req.account, req.name); },
    [=](const get_queue& req) -> caf::result<queue_record> {
      if (auto* q = self->state.find(req.account, req.queue_id))
        return *q;
      return make_error(errc::queue_not_found, not_found_message(req.queue_id));
    },
    [=](const update_queue& req) -> caf::result<queue_record> {
      auto* q = self->state.find(req.account, req.queue_id);
      if (q == nullptr)
        return make_error(errc::queue_not_found, not_found_message(req.queue_id));
      if (req.name && *req.name != q->name)
        return make_error(errc::invalid_request,
                          "queue_name cannot be changed (queue '" + q->name
                            + "'); create a new queue instead");
      auto before = *q;
      auto next = *q;
      if (auto err = apply_settings(req.settings, req.replace, next.settings); !err.empty())
        return make_error(errc::invalid_request, err);
      next.modified_ms = self->state.now_ms();
      self->state.put(next);
      auto rp = self->make_response_promise<queue_record>();
      persist_queue(self, next, before, rp);
      return rp;
    },
    [=](const delete_queue& req) -> caf::result<caf::ok_atom> {
      auto* q = self->state.find(req.account, req.queue_id);
      if (q == nullptr)
        return make_error(errc::queue_not_found, not_found_message(req.queue_id));
      auto before = *q;
      self->state.remove(req.account, req.queue_id);
      stop_coordinator(self, req.queue_id);
      storage::batch b;
      b.erase(storage::family::meta, storage::queue_key(req.account, req.queue_id));
      auto rp = self->make_response_promise<caf::ok_atom>();
      self->state.persist.submit(
        caf::actor_cast<caf::actor>(self), std::move(b),
        [self, before, rp](const std::string& error) mutable {
          if (!error.empty()) {
            self->state.put(before);
            spawn_coordinator(self, before);
            rp.deliver(make_error(errc::storage_failure, "could not delete queue: " + error));
            return;
          }
          rp.deliver(caf::ok_atom::value);
        });
      return rp;
    },
    [=](const write_done& msg) { self->state.persist.complete(msg); },
  };
}

} // namespace sluice
