#include <algorithm>

#include "actors/control/crypto.hpp"
#include "actors/control/hub_handlers.hpp"
#include "actors/control/tokens.hpp"
#include "actors/errc.hpp"

namespace sluice::hub_handlers {

using storage::token_record;

namespace {

/// Tokens scoped to `account`, or global ones when the caller is global.
bool visible(const principal& caller, const std::string& account, const token_record& t) {
  return t.account == account
         || (caller.account == storage::all_accounts && t.account == storage::all_accounts);
}

} // namespace

caf::result<token_created> on_create_token(self_ptr self, const create_token& req) {
  if (req.all_accounts && req.caller.account != storage::all_accounts)
    return make_error(errc::forbidden,
                      "only a token valid for all accounts may create another such token");
  if (req.permissions == 0)
    return make_error(errc::invalid_request, "permissions must name at least one permission");
  token_created out;
  out.secret = new_token_secret();
  auto& t = out.record;
  t.id = random_hex(16);
  t.hash = sha256_hex(out.secret);
  t.account = req.all_accounts ? std::string{storage::all_accounts} : req.account;
  t.permissions = req.permissions;
  t.name = req.name;
  t.created_ms = self->state.now_ms();
  storage::meta_change c;
  c.put_tokens.push_back(t);
  auto rp = self->make_response_promise<token_created>();
  submit_audited(self, std::move(c),
                 {audit_entry(self, req.account, req.caller.token_id, audit_action::create_token,
                              "token", t.id, t.name, details_of(t))},
                 "could not store the token", [self, out, rp](const caf::error& err) mutable {
                   if (err) {
                     rp.deliver(err);
                     return;
                   }
                   self->state.tokens_by_hash[out.record.hash] = out.record;
                   self->state.publish_tokens();
                   rp.deliver(out);
                 });
  return rp;
}

token_list on_list_tokens(self_ptr self, const list_tokens& req) {
  token_list out;
  for (const auto& [hash, t] : self->state.tokens_by_hash)
    if (visible(req.caller, req.account, t))
      out.push_back(t);
  std::sort(out.begin(), out.end(), [](const token_record& x, const token_record& y) {
    return x.created_ms != y.created_ms ? x.created_ms < y.created_ms : x.id < y.id;
  });
  return out;
}

caf::result<caf::ok_atom> on_revoke_token(self_ptr self, const revoke_token& req) {
  auto& tokens = self->state.tokens_by_hash;
  auto i = std::find_if(tokens.begin(), tokens.end(), [&](const auto& kv) {
    return kv.second.id == req.token_id && visible(req.caller, req.account, kv.second);
  });
  if (i == tokens.end())
    return make_error(errc::not_found, "token '" + req.token_id + "' does not exist");
  auto hash = i->first;
  auto before = i->second;
  tokens.erase(i); // stops working at once; restored if the write fails
  self->state.publish_tokens();
  storage::meta_change c;
  c.erase_tokens.push_back(hash);
  auto rp = self->make_response_promise<caf::ok_atom>();
  submit_audited(self, std::move(c),
                 {audit_entry(self, req.account, req.caller.token_id, audit_action::revoke_token,
                              "token", before.id, before.name, details_of(before))},
                 "could not revoke the token", [self, before, rp](const caf::error& err) mutable {
                   if (err) {
                     self->state.tokens_by_hash[before.hash] = before;
                     self->state.publish_tokens();
                     rp.deliver(err);
                     return;
                   }
                   rp.deliver(caf::ok_atom::value);
                 });
  return rp;
}

} // namespace sluice::hub_handlers
