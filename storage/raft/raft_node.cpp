#include "storage/raft/raft_node.hpp"

#include <csignal>
#include <exception>
#include <future>
#include <mutex>
#include <utility>

#include "storage/raft/node_engine.hpp"

namespace sluice::storage::raft {
namespace {

void ignore_sigpipe() {
  // A peer that closed its socket must be an EPIPE for libuv, not the end
  // of the process.
  static std::once_flag once;
  std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

} // namespace

expected<std::unique_ptr<raft_node>> raft_node::start(node_config config, state_machine& sm,
                                                      leadership_callback on_leadership) {
  if (config.id == 0)
    return store_error{store_errc::io_error, "raft node id must be > 0"};
  if (config.address.empty() || config.data_dir.empty())
    return store_error{store_errc::io_error, "raft node needs an address and a data dir"};
  if (config.max_entries_in_flight == 0 || config.max_commands_per_entry == 0)
    return store_error{store_errc::io_error, "raft node needs entries in flight and commands "
                                             "per entry > 0"};
  ignore_sigpipe();
  auto engine = std::make_unique<node_engine>(std::move(config), sm, std::move(on_leadership));
  std::promise<std::string> opened;
  auto result = opened.get_future();
  std::thread thread([e = engine.get(), opened = std::move(opened)]() mutable {
    std::string error = e->open();
    bool ok = error.empty();
    opened.set_value(std::move(error));
    if (ok)
      e->run();
  });
  std::string error = result.get();
  if (!error.empty()) {
    thread.join();
    return store_error{store_errc::io_error, std::move(error)};
  }
  return std::unique_ptr<raft_node>(new raft_node(std::move(engine), std::move(thread)));
}

raft_node::raft_node(std::unique_ptr<node_engine> engine, std::thread thread)
  : engine_(std::move(engine)), thread_(std::move(thread)) {}

raft_node::~raft_node() {
  stop();
}

void raft_node::apply(std::vector<std::string> commands, apply_callback done) {
  engine_->submit({std::move(commands), std::move(done)});
}

void raft_node::add_member(uint64_t id, std::string address, change_callback done) {
  engine_->submit_change(
      {change_request::kind::add, id, std::move(address), member_role::spare, std::move(done)});
}

void raft_node::assign_member(uint64_t id, member_role role, change_callback done) {
  engine_->submit_change({change_request::kind::assign, id, {}, role, std::move(done)});
}

void raft_node::remove_member(uint64_t id, change_callback done) {
  engine_->submit_change(
      {change_request::kind::remove, id, {}, member_role::voter, std::move(done)});
}

void raft_node::transfer_leadership(uint64_t id, change_callback done) {
  engine_->submit_change(
      {change_request::kind::transfer, id, {}, member_role::voter, std::move(done)});
}

node_status raft_node::status() const {
  return engine_->status();
}

void raft_node::stop() {
  if (!thread_.joinable())
    return;
  if (std::this_thread::get_id() == thread_.get_id())
    std::terminate();
  engine_->request_stop();
  thread_.join();
}

} // namespace sluice::storage::raft
