#include "http/cluster/remote_checkpoints.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/send.hpp>

#include "actors/type_ids.hpp"
#include "http/url.hpp"

namespace sluice::http {

namespace {

/// One call of the raft thread, answered by the client actor: an answer
/// (`T`) or an error, whichever comes first.
template <class T>
struct call_box {
  using answer_type = T;
  std::optional<T> answer;
  std::string error;
  bool done = false;
};

/// Raft thread → client actor: ask the gateway at `host`:`port`.
template <class Ask, class Answer>
struct remote_call {
  std::string host;
  uint16_t port = 0;
  Ask ask;
  std::shared_ptr<call_box<Answer>> box;
};

using prepare_call = remote_call<checkpoint_prepare, checkpoint_offer>;
using read_call = remote_call<checkpoint_read, checkpoint_chunk>;

} // namespace
} // namespace sluice::http

// Local only: they carry a place for the answer between threads of one process.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::http::prepare_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sluice::http::read_call)

namespace sluice::http {

struct remote_checkpoints::shared {
  explicit shared(remote_checkpoints_config c) : config(std::move(c)) {}

  const remote_checkpoints_config config;
  /// Guards `client`, `stopped` and every call box.
  std::mutex mtx;
  std::condition_variable answered;
  caf::actor client;
  bool stopped = false;

  /// Completes `box` (once) and wakes its caller.
  template <class T>
  void complete(call_box<T>& box, std::optional<typename call_box<T>::answer_type> answer,
                std::string error) {
    {
      std::lock_guard lock{mtx};
      if (box.done)
        return;
      box.answer = std::move(answer);
      box.error = std::move(error);
      box.done = true;
    }
    answered.notify_all();
  }
};

namespace {

using storage::expected;
using storage::store_errc;
using storage::store_error;

store_error unreachable(std::string why) {
  return {store_errc::io_error, std::move(why)};
}

/// Connects to the gateway of a call (the middleman reuses a connection
/// it has), asks it, and completes the call's box.
template <class Call>
void run_call(caf::event_based_actor* self, remote_checkpoints::shared* sh, Call call,
              std::chrono::milliseconds timeout) {
  auto where = call.host + ":" + std::to_string(call.port);
  auto box = call.box;
  self->request(self->system().middleman().actor_handle(), sh->config.connect_timeout,
                caf::connect_atom::value, call.host, call.port)
      .then(
          [self, sh, box, where, timeout, ask = std::move(call.ask)](
              const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>&) {
            if (!ptr) {
              sh->complete(*box, {}, "no gateway at " + where);
              return;
            }
            self->request(caf::actor_cast<caf::actor>(std::move(ptr)), timeout, ask)
                .then(
                    [sh, box](typename decltype(box)::element_type::answer_type& answer) {
                      sh->complete(*box, std::move(answer), {});
                    },
                    [self, sh, box, where](const caf::error& e) {
                      sh->complete(*box, {}, where + ": " + self->system().render(e));
                    });
          },
          [self, sh, box, where](const caf::error& e) {
            sh->complete(*box, {}, "cannot connect to " + where + ": " + self->system().render(e));
          });
}

caf::behavior checkpoint_client(caf::event_based_actor* self, remote_checkpoints::shared* sh) {
  return {
      [self, sh](prepare_call& call) {
        run_call(self, sh, std::move(call), sh->config.prepare_timeout);
      },
      [self, sh](read_call& call) { run_call(self, sh, std::move(call), sh->config.read_timeout); },
  };
}

/// One catch-up attempt's source: the peers to ask, then the peer that
/// offered the checkpoint being read.
class remote_source final : public storage::checkpoint_source {
public:
  remote_source(std::shared_ptr<remote_checkpoints::shared> shared,
                std::vector<storage::raft::member> peers)
    : shared_(std::move(shared)), peers_(std::move(peers)) {}

  expected<storage::checkpoint_manifest> prepare(uint64_t min_index) override {
    std::string errors;
    for (const auto& peer : peers_) {
      auto offered = prepare_at(peer, min_index);
      if (offered)
        return offered;
      errors += (errors.empty() ? "" : "; ")
                + ("node " + std::to_string(peer.id) + " at '" + peer.address
                   + "': " + offered.error().message);
    }
    return unreachable(errors.empty() ? "no peer to catch up from" : errors);
  }

  expected<std::string> read_chunk(const std::string& checkpoint, const std::string& file,
                                   uint64_t offset, size_t max) override {
    if (host_.empty())
      return unreachable("no checkpoint was prepared");
    auto chunk = call<read_call>(host_, port_, checkpoint_read{checkpoint, file, offset, max},
                                 shared_->config.read_timeout);
    if (!chunk)
      return chunk.error();
    if (!chunk->error.empty())
      return unreachable(std::move(chunk->error));
    return std::move(chunk->bytes);
  }

private:
  expected<storage::checkpoint_manifest> prepare_at(const storage::raft::member& peer,
                                                    uint64_t min_index) {
    std::string host;
    uint16_t port = 0;
    if (!split_host_port(peer.address, host, port) || port == 0)
      return unreachable("not a HOST:PORT address");
    port = static_cast<uint16_t>(port + shared_->config.forward_port_offset);
    auto offer = call<prepare_call>(host, port, checkpoint_prepare{min_index},
                                    shared_->config.prepare_timeout);
    if (!offer)
      return offer.error();
    if (!offer->error.empty() || offer->file_names.size() != offer->file_sizes.size())
      return unreachable(offer->error.empty() ? "a malformed offer" : offer->error);
    storage::checkpoint_manifest m;
    m.id = std::move(offer->id);
    m.applied_index = offer->applied_index;
    for (size_t i = 0; i < offer->file_names.size(); ++i)
      m.files.push_back({std::move(offer->file_names[i]), offer->file_sizes[i]});
    host_ = std::move(host);
    port_ = port;
    return m;
  }

  /// Hands the call to the client actor and waits for its answer, at most
  /// the connect and call time-outs (and a little) or until detached.
  template <class Call, class Ask>
  auto call(const std::string& host, uint16_t port, Ask ask, std::chrono::milliseconds timeout)
      -> expected<typename decltype(Call::box)::element_type::answer_type> {
    using answer = typename decltype(Call::box)::element_type::answer_type;
    auto box = std::make_shared<call_box<answer>>();
    auto& sh = *shared_;
    std::unique_lock lock{sh.mtx};
    if (sh.stopped || !sh.client)
      return unreachable("this node's links to its peers are not up (starting or stopping)");
    caf::anon_send(sh.client, Call{host, port, std::move(ask), box});
    auto limit = sh.config.connect_timeout + timeout + std::chrono::seconds(1);
    if (!sh.answered.wait_for(lock, limit, [&] { return box->done || sh.stopped; }))
      return unreachable("no answer from " + host + ":" + std::to_string(port) + " in time");
    if (!box->done)
      return unreachable("this node is stopping");
    if (!box->answer)
      return unreachable(box->error);
    return std::move(*box->answer);
  }

  std::shared_ptr<remote_checkpoints::shared> shared_;
  std::vector<storage::raft::member> peers_;
  /// The gateway that offered the checkpoint being read.
  std::string host_;
  uint16_t port_ = 0;
};

} // namespace

remote_checkpoints::remote_checkpoints(remote_checkpoints_config config)
  : shared_(std::make_shared<shared>(std::move(config))) {}

remote_checkpoints::~remote_checkpoints() {
  detach();
}

storage::checkpoint_source_factory remote_checkpoints::factory() {
  return
      [shared = shared_](
          const storage::raft::leader_hint& leader) -> std::unique_ptr<storage::checkpoint_source> {
        std::vector<storage::raft::member> peers;
        if (leader.id != 0 && leader.id != shared->config.self_id)
          peers.push_back({leader.id, leader.address, storage::raft::member_role::voter});
        for (const auto& m : shared->config.members)
          if (m.id != shared->config.self_id && m.id != leader.id)
            peers.push_back(m);
        return std::make_unique<remote_source>(shared, std::move(peers));
      };
}

void remote_checkpoints::attach(caf::actor_system& sys) {
  auto client = sys.spawn(checkpoint_client, shared_.get());
  std::lock_guard lock{shared_->mtx};
  shared_->client = std::move(client);
  shared_->stopped = false;
}

void remote_checkpoints::detach() {
  caf::actor client;
  {
    std::lock_guard lock{shared_->mtx};
    client = std::move(shared_->client);
    shared_->client = nullptr;
    shared_->stopped = true;
  }
  shared_->answered.notify_all();
  if (client)
    caf::anon_send_exit(client, caf::exit_reason::user_shutdown);
}

} // namespace sluice::http
