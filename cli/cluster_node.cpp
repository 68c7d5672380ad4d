#include "cli/cluster_node.hpp"

#include <iostream>

#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/type_ids.hpp"
#include "http/url.hpp"
#include "metrics/registry.hpp"

namespace sluice::cli {

namespace {

namespace raft = storage::raft;

/// How often the node looks at raft's status without being woken.
constexpr auto poll_every = std::chrono::milliseconds(100);
/// How often a follower re-reads the tokens (for the node-local routes).
constexpr auto tokens_every = std::chrono::seconds(1);
/// After a failed take-over, the next try.
constexpr auto take_over_retry = std::chrono::milliseconds(500);

const char* role_name(raft::member_role r) {
  switch (r) {
    case raft::member_role::voter:
      return "voter";
    case raft::member_role::standby:
      return "standby";
    case raft::member_role::spare:
      return "spare";
  }
  return "unknown";
}

errc errc_of(raft::raft_errc code) {
  switch (code) {
    case raft::raft_errc::ok:
      return errc::none;
    case raft::raft_errc::not_leader:
    case raft::raft_errc::leadership_lost:
    case raft::raft_errc::shutting_down:
      return errc::unavailable;
    case raft::raft_errc::busy:
      return errc::too_many_requests;
    default:
      return errc::invalid_request;
  }
}

} // namespace

void role_signal::notify() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    changed_ = true;
  }
  cv_.notify_one();
}

void role_signal::wait(std::chrono::milliseconds max) {
  std::unique_lock<std::mutex> lock{mtx_};
  cv_.wait_for(lock, max, [this] { return changed_; });
  changed_ = false;
}

cluster_node::cluster_node(cluster_node_config config) : cfg_(std::move(config)) {}

cluster_node::~cluster_node() {
  stop();
}

void cluster_node::start() {
  thread_ = std::thread([this] { run(); });
}

void cluster_node::stop() {
  if (stopping_.exchange(true))
    return;
  cfg_.signal->notify();
  if (thread_.joinable())
    thread_.join();
  if (hub_)
    hand_over("this node is shutting down");
}

void cluster_node::run() {
  while (!stopping_) {
    cfg_.signal->wait(poll_every);
    if (stopping_)
      return;
    auto s = cfg_.stores->status();
    if (cfg_.hub.metrics != nullptr)
      cfg_.hub.metrics->cluster_status(to_string(s.role), s.term, s.commit_index,
                                       cfg_.stores->applied_index());
    follow(s);
  }
}

void cluster_node::follow(const raft::node_status& s) {
  const auto me = "node " + std::to_string(s.id);
  if (s.role == raft::node_role::leader) {
    // Led again in a later term without this thread seeing it follow: writes
    // of the hub's term may have failed as "unknown" and still be applied,
    // so its memory may lag the store. Start over from the store.
    if (hub_ && s.term != hub_term_)
      hand_over(me + " was re-elected in term " + std::to_string(s.term));
    if (!hub_ && std::chrono::steady_clock::now() >= next_take_over_)
      take_over();
    return;
  }
  if (hub_)
    hand_over(me + " no longer leads the cluster");
  forward_to target;
  if (s.leader.id != 0 && s.leader.id != s.id
      && http::split_host_port(s.leader.address, target.host, target.port) && target.port != 0) {
    target.leader_id = s.leader.id;
    target.port = static_cast<uint16_t>(target.port + cfg_.forward_port_offset);
  }
  if (target.leader_id != forwarding_.leader_id || target.host != forwarding_.host
      || target.port != forwarding_.port) {
    if (target.leader_id != 0)
      spdlog::info("cluster: node {} at {} leads; forwarding requests to it", s.leader.id,
                   s.leader.address);
    else
      spdlog::info("cluster: {} knows no leader ({})", me, to_string(s.role));
    forwarding_ = target;
    caf::anon_send(cfg_.forwarder, target);
  }
  if (target.leader_id != 0)
    cfg_.gate->set_forwarding();
  else
    cfg_.gate->set_unavailable("no leader is known to " + me
                               + ": the cluster is electing one, or this node cannot reach a "
                                 "majority of its members; retry");
  refresh_tokens();
}

void cluster_node::take_over() {
  auto before = cfg_.stores->status();
  auto id = before.id;
  spdlog::info("cluster: node {} was elected leader in term {}; taking over", id, before.term);
  cfg_.gate->set_unavailable("node " + std::to_string(id)
                             + " was just elected leader and is taking over; retry");
  forwarding_ = {};
  caf::anon_send(cfg_.forwarder, forward_to{});
  // Every entry of earlier terms is applied here once an entry of this term
  // is: only then does the store hold all that was acknowledged.
  if (auto r = storage::apply_and_wait(cfg_.stores->meta(), storage::meta_change{}); !r) {
    spdlog::warn("cluster: could not take over ({}); retrying", r.error().message);
    next_take_over_ = std::chrono::steady_clock::now() + take_over_retry;
    return;
  }
  auto opts = cfg_.hub;
  if (admin_secret_shown_)
    opts.bootstrap_admin = opts.bootstrap_admin && !opts.bootstrap_secret.empty();
  auto started = start_hub(*cfg_.sys, *cfg_.stores, std::move(opts));
  if (!started) {
    spdlog::warn("cluster: could not start the hub as leader ({}); retrying",
                 started.error().message);
    next_take_over_ = std::chrono::steady_clock::now() + take_over_retry;
    return;
  }
  if (!started->admin_secret_to_print.empty()) {
    std::cout << "admin token (shown once, store it now): " << started->admin_secret_to_print
              << std::endl;
    admin_secret_shown_ = true;
  }
  {
    // Ready once the hub has published its queues and tokens.
    caf::scoped_actor self{*cfg_.sys};
    self->request(started->hub, caf::infinite, list_queues{})
        .receive([](const queue_list&) {}, [](const caf::error&) {});
  }
  hub_ = started->hub;
  // The term the no-op committed in (a later one is noticed by `follow`).
  hub_term_ = before.term;
  cfg_.ctx->hub.set(hub_);
  cfg_.gate->set_serving();
  spdlog::info("cluster: node {} leads and serves ({} queues, {} tokens)", id, started->queues,
               started->tokens);
}

void cluster_node::hand_over(const std::string& why) {
  spdlog::info("cluster: {}; stopping this node's hub", why);
  cfg_.gate->set_unavailable(why + "; retry");
  cfg_.ctx->hub.set({});
  if (cfg_.hub.queues)
    for (const auto& c : cfg_.hub.queues->all())
      caf::anon_send(c, release_waiting_pulls{});
  caf::anon_send_exit(hub_, caf::exit_reason::user_shutdown);
  hub_ = nullptr;
  if (cfg_.hub.queues)
    cfg_.hub.queues->publish({});
  tokens_read_ = {};
}

void cluster_node::refresh_tokens() {
  auto now = std::chrono::steady_clock::now();
  if (!cfg_.hub.tokens || now - tokens_read_ < tokens_every)
    return;
  tokens_read_ = now;
  auto meta = cfg_.stores->meta().load();
  if (!meta)
    return;
  token_directory::table t;
  for (const auto& rec : meta->tokens)
    t.emplace(rec.hash, principal{rec.id, rec.account, rec.permissions});
  cfg_.hub.tokens->publish(std::move(t));
}

http::cluster_view cluster_node::status() const {
  auto s = cfg_.stores->status();
  http::cluster_view v;
  v.node_id = s.id;
  v.role = to_string(s.role);
  v.term = s.term;
  v.leader_id = s.leader.id;
  v.leader_address = s.leader.address;
  v.commit_index = s.commit_index;
  v.applied_index = cfg_.stores->applied_index();
  v.last_index = s.last_index;
  v.serving = cfg_.gate->serving();
  for (const auto& m : s.members)
    v.members.push_back({m.id, m.address, role_name(m.role)});
  return v;
}

namespace {

raft::change_callback to_change_callback(http::cluster_control::done_fn done) {
  return [done = std::move(done)](const raft::change_outcome& o) {
    auto code = errc_of(o.code);
    auto message = o.message;
    if (o.code == raft::raft_errc::not_leader && o.leader.id != 0)
      message = "this node does not lead the cluster; node " + std::to_string(o.leader.id) + " at "
                + o.leader.address + " does; retry";
    done(code, code == errc::none ? std::string{} : message);
  };
}

} // namespace

void cluster_node::add_member(uint64_t id, std::string address, done_fn done) {
  cfg_.stores->add_member(id, std::move(address), to_change_callback(std::move(done)));
}

void cluster_node::remove_member(uint64_t id, done_fn done) {
  cfg_.stores->remove_member(id, to_change_callback(std::move(done)));
}

} // namespace sluice::cli
