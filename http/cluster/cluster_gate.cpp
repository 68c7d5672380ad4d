#include "http/cluster/cluster_gate.hpp"

#include <caf/send.hpp>

#include "http/cluster/forward_codec.hpp"
#include "http/envelope.hpp"

namespace sluice::http {

cluster_gate::cluster_gate(forwarder_actor forwarder, std::shared_ptr<pending_forwards> pending)
  : forwarder_(std::move(forwarder)), pending_(std::move(pending)) {}

bool cluster_gate::take(request& req, responder& reply) {
  switch (mode_.load()) {
    case mode::serving:
      return false;
    case mode::forwarding: {
      auto id = pending_->add(std::move(reply));
      caf::anon_send(forwarder_, to_forwarded(id, std::move(req)));
      return true;
    }
    case mode::unavailable:
      break;
  }
  reply(fail(errc::unavailable, why_unavailable()));
  return true;
}

void cluster_gate::set_serving() {
  mode_ = mode::serving;
}

void cluster_gate::set_forwarding() {
  mode_ = mode::forwarding;
}

void cluster_gate::set_unavailable(std::string why) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    why_ = std::move(why);
  }
  mode_ = mode::unavailable;
}

std::string cluster_gate::why_unavailable() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return why_;
}

} // namespace sluice::http
