#include "storage/raft/nodelay_transport.hpp"

#include <cstddef>
#include <type_traits>

namespace sluice::storage::raft {

namespace {

static_assert(std::is_standard_layout_v<nodelay_transport>);
static_assert(offsetof(nodelay_transport, transport) == 0);

nodelay_transport& owner(raft_uv_transport* t) {
  return *reinterpret_cast<nodelay_transport*>(t);
}

void no_delay(uv_stream_t* stream) {
  if (stream != nullptr && stream->type == UV_TCP)
    uv_tcp_nodelay(reinterpret_cast<uv_tcp_t*>(stream), 1);
}

void on_accept(raft_uv_transport* t, raft_id id, const char* address, uv_stream_t* stream) {
  no_delay(stream);
  owner(t).accept(t, id, address, stream);
}

int listen(raft_uv_transport* t, raft_uv_accept_cb cb) {
  owner(t).accept = cb;
  return owner(t).tcp_listen(t, on_accept);
}

/// A connect request of our own around raft's, freed when it completes
/// (also when the transport cancels it on close).
struct connect_request {
  raft_uv_connect inner{};
  raft_uv_connect* outer = nullptr;
  raft_uv_connect_cb outer_cb = nullptr;
};

void on_connected(raft_uv_connect* req, uv_stream_t* stream, int status) {
  auto* r = static_cast<connect_request*>(req->data);
  if (status == 0)
    no_delay(stream);
  auto* outer = r->outer;
  auto cb = r->outer_cb;
  delete r;
  cb(outer, stream, status);
}

int connect(raft_uv_transport* t, raft_uv_connect* req, raft_id id, const char* address,
            raft_uv_connect_cb cb) {
  auto* r = new connect_request;
  r->inner.data = r;
  r->outer = req;
  r->outer_cb = cb;
  int rv = owner(t).tcp_connect(t, &r->inner, id, address, on_connected);
  if (rv != 0)
    delete r;
  return rv;
}

} // namespace

int nodelay_transport_init(nodelay_transport& t, uv_loop_t* loop) {
  int rv = raft_uv_tcp_init(&t.transport, loop);
  if (rv != 0)
    return rv;
  t.tcp_listen = t.transport.listen;
  t.tcp_connect = t.transport.connect;
  t.transport.listen = listen;
  t.transport.connect = connect;
  return 0;
}

void nodelay_transport_close(nodelay_transport& t) {
  raft_uv_tcp_close(&t.transport);
}

} // namespace sluice::storage::raft
