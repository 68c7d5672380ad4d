#include "storage/meta_store.hpp"

#include <future>

namespace sluice::storage {

namespace {

template <class T>
void move_into(std::vector<T>& to, std::vector<T>& from) {
  for (auto& x : from)
    to.push_back(std::move(x));
  from.clear();
}

} // namespace

bool meta_change::empty() const {
  return put_queues.empty() && erase_queues.empty() && put_consumers.empty()
         && erase_consumers.empty() && put_tokens.empty() && erase_tokens.empty()
         && put_subscriptions.empty() && erase_subscriptions.empty() && put_scripts.empty()
         && erase_scripts.empty() && put_audit.empty() && erase_audit.empty();
}

void meta_change::append(meta_change&& o) {
  move_into(put_queues, o.put_queues);
  move_into(erase_queues, o.erase_queues);
  move_into(put_consumers, o.put_consumers);
  move_into(erase_consumers, o.erase_consumers);
  move_into(put_tokens, o.put_tokens);
  move_into(erase_tokens, o.erase_tokens);
  move_into(put_subscriptions, o.put_subscriptions);
  move_into(erase_subscriptions, o.erase_subscriptions);
  move_into(put_scripts, o.put_scripts);
  move_into(erase_scripts, o.erase_scripts);
  move_into(put_audit, o.put_audit);
  move_into(erase_audit, o.erase_audit);
}

expected<applied> apply_and_wait(meta_store& store, meta_change change) {
  std::promise<expected<applied>> done;
  auto result = done.get_future();
  store.apply(std::move(change), [&done](expected<applied> r) { done.set_value(std::move(r)); });
  return result.get();
}

} // namespace sluice::storage
