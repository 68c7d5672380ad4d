#include "http/cluster/gateway.hpp"

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "http/cluster/forward_codec.hpp"
#include "http/envelope.hpp"

namespace sluice::http {

namespace {

caf::behavior gateway(caf::event_based_actor* self, const router* routes, const cluster_gate* gate,
                      const checkpoint_server_actor& checkpoints) {
  return {
      [self, checkpoints](checkpoint_prepare& ask) -> caf::result<checkpoint_offer> {
        if (!checkpoints)
          return checkpoint_offer{"this node serves no checkpoints", {}, 0, {}, {}};
        return self->delegate(checkpoints, std::move(ask));
      },
      [self, checkpoints](checkpoint_read& ask) -> caf::result<checkpoint_chunk> {
        if (!checkpoints)
          return checkpoint_chunk{"this node serves no checkpoints", {}};
        return self->delegate(checkpoints, std::move(ask));
      },
      [self, routes, gate](forward_batch& batch) {
        auto back = caf::actor_cast<forwarder_actor>(self->current_sender());
        if (!back)
          return;
        if (!gate->serving()) {
          forwarded_responses out;
          auto why = gate->why_unavailable();
          for (auto& r : batch.requests)
            out.responses.push_back(to_forwarded(
                r.id, fail(errc::unavailable,
                           why.empty() ? "the node this request was forwarded to does not "
                                         "lead the cluster any more; retry"
                                       : why)));
          self->send(back, std::move(out));
          return;
        }
        for (auto& r : batch.requests) {
          auto id = r.id;
          routes->dispatch(
              from_forwarded(std::move(r)),
              [back, id](response res) {
                caf::anon_send(back, forwarded_responses{{to_forwarded(id, std::move(res))}});
              },
              false);
        }
      },
  };
}

} // namespace

gateway_actor spawn_gateway(caf::actor_system& sys, const router& routes, const cluster_gate& gate,
                            checkpoint_server_actor checkpoints) {
  return caf::actor_cast<gateway_actor>(sys.spawn(gateway, &routes, &gate, std::move(checkpoints)));
}

} // namespace sluice::http
