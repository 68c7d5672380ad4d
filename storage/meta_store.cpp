#include "storage/meta_store.hpp"

#include <future>

namespace sluice::storage {

expected<applied> apply_and_wait(meta_store& store, meta_change change) {
  std::promise<expected<applied>> done;
  auto result = done.get_future();
  store.apply(std::move(change), [&done](expected<applied> r) { done.set_value(std::move(r)); });
  return result.get();
}

} // namespace sluice::storage
