#include "http/cluster/forwarder.hpp"

#include <chrono>
#include <string>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/stateful_actor.hpp>

#include "http/cluster/forward_codec.hpp"
#include "http/envelope.hpp"

namespace sluice::http {

namespace {

using flush_atom = caf::atom_constant<caf::atom("fwd_flush")>;
using reconnect_atom = caf::atom_constant<caf::atom("fwd_retry")>;
using sweep_atom = caf::atom_constant<caf::atom("fwd_sweep")>;

constexpr auto reconnect_delay = std::chrono::milliseconds(250);
constexpr auto connect_timeout = std::chrono::seconds(2);
constexpr auto sweep_every = std::chrono::seconds(10);
/// Far beyond any answer deadline: the server answered such requests (504).
constexpr auto forget_after = std::chrono::minutes(10);

struct forwarder_state {
  static inline const char* name = "sluice.forwarder";

  forwarder_config config;
  forward_to target;
  gateway_actor gateway;
  bool connecting = false;
  /// Bumped on every new target: answers to older connects are dropped.
  uint64_t generation = 0;
  std::vector<forwarded_request> buffer;

  std::string leader_name() const {
    return "node " + std::to_string(target.leader_id) + " (" + target.host + ":"
           + std::to_string(target.port) + ")";
  }

  void answer(uint64_t id, response r) {
    if (auto reply = config.pending->take(id))
      (*reply)(std::move(r));
  }

  /// Answers every request still waiting for a response with 503.
  void fail_pending(const std::string& why) {
    for (auto& reply : config.pending->take_all())
      reply(fail(errc::unavailable, why));
    buffer.clear();
  }
};

using forwarder_ptr = caf::stateful_actor<forwarder_state>*;

void connect(forwarder_ptr self);

void use_gateway(forwarder_ptr self, gateway_actor gw) {
  auto& st = self->state;
  st.connecting = false;
  st.gateway = std::move(gw);
  self->monitor(st.gateway);
  if (!st.buffer.empty())
    self->send(self, flush_atom::value);
}

void retry_later(forwarder_ptr self) {
  self->state.connecting = false;
  self->delayed_send(self, reconnect_delay, reconnect_atom::value, self->state.generation);
}

void connect(forwarder_ptr self) {
  auto& st = self->state;
  if (st.target.leader_id == 0 || st.gateway || st.connecting)
    return;
  if (st.config.local_lookup) {
    if (auto gw = st.config.local_lookup(st.target))
      use_gateway(self, *gw);
    else
      retry_later(self);
    return;
  }
  st.connecting = true;
  auto generation = st.generation;
  auto mm = self->system().middleman().actor_handle();
  self->request(mm, connect_timeout, caf::connect_atom::value, st.target.host, st.target.port)
      .then(
          [self, generation](const caf::node_id&, caf::strong_actor_ptr& ptr,
                             const std::set<std::string>&) {
            if (generation != self->state.generation)
              return;
            if (!ptr) {
              retry_later(self);
              return;
            }
            use_gateway(self, caf::actor_cast<gateway_actor>(std::move(ptr)));
          },
          [self, generation](const caf::error&) {
            if (generation == self->state.generation)
              retry_later(self);
          });
}

caf::behavior forwarder(forwarder_ptr self, forwarder_config config) {
  self->state.config = std::move(config);
  self->set_down_handler([self](const caf::down_msg& dm) {
    auto& st = self->state;
    if (!st.gateway || dm.source != st.gateway.address())
      return;
    st.gateway = nullptr;
    st.fail_pending("lost the connection to the leader, " + st.leader_name()
                    + ", while a request was forwarded to it: it may or may not have been "
                      "applied; retry");
    connect(self);
  });
  self->delayed_send(self, sweep_every, sweep_atom::value);
  return {
      [self](forward_to& to) {
        auto& st = self->state;
        if (to.leader_id == st.target.leader_id && to.host == st.target.host
            && to.port == st.target.port)
          return;
        bool had_leader = st.target.leader_id != 0;
        if (st.gateway)
          self->demonitor(st.gateway.address());
        st.gateway = nullptr;
        st.connecting = false;
        ++st.generation;
        if (had_leader)
          st.fail_pending("the cluster's leader changed while a request was forwarded to "
                          + st.leader_name() + ": it may or may not have been applied; retry");
        st.target = std::move(to);
        connect(self);
      },
      [self](forwarded_request& req) {
        auto& st = self->state;
        if (!st.gateway) {
          st.answer(req.id, fail(errc::unavailable, st.target.leader_id == 0
                                                        ? "no leader is known to this node; retry"
                                                        : "this node is connecting to the leader, "
                                                              + st.leader_name() + "; retry"));
          return;
        }
        st.buffer.push_back(std::move(req));
        // The flush queues behind every request already in the mailbox, so
        // a burst goes out as one batch.
        if (st.buffer.size() == 1)
          self->send(self, flush_atom::value);
      },
      [self](flush_atom) {
        auto& st = self->state;
        if (st.buffer.empty() || !st.gateway)
          return;
        forward_batch batch;
        batch.requests.swap(st.buffer);
        self->send(st.gateway, std::move(batch));
      },
      [self](forwarded_responses& rs) {
        for (auto& r : rs.responses) {
          auto id = r.id;
          self->state.answer(id, from_forwarded(std::move(r)));
        }
      },
      [self](reconnect_atom, uint64_t generation) {
        if (generation == self->state.generation)
          connect(self);
      },
      [self](sweep_atom) {
        self->state.config.pending->forget_older_than(pending_forwards::clock::now()
                                                      - forget_after);
        self->delayed_send(self, sweep_every, sweep_atom::value);
      },
  };
}

} // namespace

forwarder_actor spawn_forwarder(caf::actor_system& sys, forwarder_config config) {
  return caf::actor_cast<forwarder_actor>(sys.spawn(forwarder, std::move(config)));
}

} // namespace sluice::http
