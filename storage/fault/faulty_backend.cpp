#include "storage/fault/faulty_backend.hpp"

namespace sluice::storage {

namespace {

store_error injected(store_errc code, std::string_view op) {
  if (code == store_errc::no_space)
    return {code, std::string{fault_plan::no_space_message}};
  return {code, std::string{"injected "} + to_string(code) + " failure of " + std::string{op}};
}

} // namespace

void fault_plan::fail_nth_write(uint64_t n, store_errc code) {
  if (n == 0)
    return;
  std::lock_guard<std::mutex> guard{mtx_};
  nth_.emplace_back(writes_ + n, code);
}

void fault_plan::fail_writes(store_errc code) {
  std::lock_guard<std::mutex> guard{mtx_};
  all_writes_ = code;
}

void fault_plan::fail_writes_of(std::string op, store_errc code) {
  std::lock_guard<std::mutex> guard{mtx_};
  for (auto& [name, c] : op_writes_)
    if (name == op) {
      c = code;
      return;
    }
  op_writes_.emplace_back(std::move(op), code);
}

void fault_plan::fail_reads(store_errc code) {
  std::lock_guard<std::mutex> guard{mtx_};
  reads_ = code;
}

void fault_plan::heal() {
  std::lock_guard<std::mutex> guard{mtx_};
  nth_.clear();
  all_writes_.reset();
  op_writes_.clear();
  reads_.reset();
}

void fault_plan::hold_writes() {
  std::lock_guard<std::mutex> guard{mtx_};
  holding_ = true;
}

void fault_plan::release_writes() {
  std::deque<held_write> out;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    holding_ = false;
    out.swap(held_);
  }
  for (auto& h : out)
    h.done(std::move(h.result));
}

bool fault_plan::release_one() {
  std::optional<held_write> h;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (held_.empty())
      return false;
    h.emplace(std::move(held_.front()));
    held_.pop_front();
  }
  h->done(std::move(h->result));
  return true;
}

size_t fault_plan::held() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return held_.size();
}

uint64_t fault_plan::writes() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return writes_;
}

uint64_t fault_plan::failed_writes() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return failed_;
}

std::optional<store_error> fault_plan::on_write(std::string_view op) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto number = ++writes_;
  std::optional<store_errc> code;
  // Every shot aimed at this write fires (and is used up), even if another
  // fault fails it too.
  for (auto it = nth_.begin(); it != nth_.end();)
    if (it->first == number) {
      code = code.value_or(it->second);
      it = nth_.erase(it);
    } else {
      ++it;
    }
  if (!code)
    code = all_writes_;
  if (!code)
    for (const auto& [name, c] : op_writes_)
      if (name == op)
        code = c;
  if (!code)
    return std::nullopt;
  return injected(*code, op);
}

std::optional<store_error> fault_plan::on_read(std::string_view op) const {
  std::lock_guard<std::mutex> guard{mtx_};
  if (!reads_)
    return std::nullopt;
  return injected(*reads_, op);
}

void fault_plan::complete(write_callback done, expected<applied> result) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!result)
      ++failed_;
    if (holding_) {
      held_.push_back({std::move(done), std::move(result)});
      return;
    }
  }
  done(std::move(result));
}

/// The side of the plan that the faulty stores use (the tests do not see it).
struct fault_hooks {
  /// Submits a write of `op` through `submit` (which takes the wrapping
  /// callback) unless the plan fails it.
  template <class Submit>
  static void write(const std::shared_ptr<fault_plan>& plan, std::string_view op,
                    write_callback done, Submit submit) {
    if (auto err = plan->on_write(op)) {
      plan->complete(std::move(done), std::move(*err));
      return;
    }
    // The plan is shared so that a completion arriving after the backend
    // was dropped still finds it.
    submit([plan, done = std::move(done)](expected<applied> r) mutable {
      plan->complete(std::move(done), std::move(r));
    });
  }

  /// Runs a read of `op` through `run` unless the plan fails it.
  template <class T, class Run>
  static void read(const fault_plan& plan, std::string_view op, read_callback<T> done, Run run) {
    if (auto err = plan.on_read(op)) {
      done(std::move(*err));
      return;
    }
    run(std::move(done));
  }
};

namespace {

class faulty_message_store : public message_store {
public:
  faulty_message_store(std::shared_ptr<fault_plan> plan, std::unique_ptr<message_store> inner)
    : plan_(std::move(plan)), inner_(std::move(inner)) {}

  void append(const append_messages& cmd, write_callback done) override {
    fault_hooks::write(plan_, "append", std::move(done),
                       [&](write_callback cb) { inner_->append(cmd, std::move(cb)); });
  }

  void lease(lease_messages cmd, write_callback done) override {
    fault_hooks::write(plan_, "lease", std::move(done),
                       [&](write_callback cb) { inner_->lease(std::move(cmd), std::move(cb)); });
  }

  void settle(settle_messages cmd, write_callback done) override {
    fault_hooks::write(plan_, "settle", std::move(done),
                       [&](write_callback cb) { inner_->settle(std::move(cmd), std::move(cb)); });
  }

  void remove(delete_messages cmd, write_callback done) override {
    fault_hooks::write(plan_, "delete", std::move(done),
                       [&](write_callback cb) { inner_->remove(std::move(cmd), std::move(cb)); });
  }

  void expire(expire_messages cmd, write_callback done) override {
    fault_hooks::write(plan_, "expire", std::move(done),
                       [&](write_callback cb) { inner_->expire(std::move(cmd), std::move(cb)); });
  }

  void purge(purge_messages cmd, write_callback done) override {
    fault_hooks::write(plan_, "purge", std::move(done),
                       [&](write_callback cb) { inner_->purge(std::move(cmd), std::move(cb)); });
  }

  void page(page_messages cmd, read_callback<std::vector<recovered_message>> done) override {
    fault_hooks::read(*plan_, "page", std::move(done),
                      [&](read_callback<std::vector<recovered_message>> cb) {
                        inner_->page(cmd, std::move(cb));
                      });
  }

  void recover(recover_shard cmd, read_callback<shard_recovery> done) override {
    fault_hooks::read(*plan_, "recover", std::move(done), [&](read_callback<shard_recovery> cb) {
      inner_->recover(cmd, std::move(cb));
    });
  }

  void lookup_dedup(find_dedup cmd, read_callback<std::vector<dedup_hit>> done) override {
    fault_hooks::read(*plan_, "lookup_dedup", std::move(done),
                      [&](read_callback<std::vector<dedup_hit>> cb) {
                        inner_->lookup_dedup(std::move(cmd), std::move(cb));
                      });
  }

  void sweep_dedup(expire_dedup cmd, read_callback<dedup_expiry> done) override {
    fault_hooks::read(*plan_, "sweep_dedup", std::move(done), [&](read_callback<dedup_expiry> cb) {
      inner_->sweep_dedup(cmd, std::move(cb));
    });
  }

private:
  std::shared_ptr<fault_plan> plan_;
  std::unique_ptr<message_store> inner_;
};

class faulty_meta_store : public meta_store {
public:
  faulty_meta_store(std::shared_ptr<fault_plan> plan, meta_store& inner)
    : plan_(std::move(plan)), inner_(inner) {}

  void apply(meta_change change, write_callback done) override {
    fault_hooks::write(plan_, "meta", std::move(done),
                       [&](write_callback cb) { inner_.apply(std::move(change), std::move(cb)); });
  }

  expected<meta_snapshot> load() override { return inner_.load(); }

  expected<std::string> lease_secret(const std::string& fresh) override {
    return inner_.lease_secret(fresh);
  }

private:
  std::shared_ptr<fault_plan> plan_;
  meta_store& inner_;
};

} // namespace

faulty_backend::faulty_backend(backend& inner)
  : inner_(inner), plan_(std::make_shared<fault_plan>()),
    meta_(std::make_unique<faulty_meta_store>(plan_, inner.meta())) {}

faulty_backend::~faulty_backend() {
  plan_->release_writes();
}

meta_store& faulty_backend::meta() {
  return *meta_;
}

std::unique_ptr<message_store> faulty_backend::messages(const std::string& queue_id,
                                                        uint16_t shard) {
  return std::make_unique<faulty_message_store>(plan_, inner_.messages(queue_id, shard));
}

void faulty_backend::stop() {
  plan_->release_writes();
  inner_.stop();
}

} // namespace sluice::storage
