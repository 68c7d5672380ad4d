#include "http/cluster/checkpoint_server.hpp"

#include <algorithm>

#include <caf/typed_event_based_actor.hpp>

namespace sluice::http {

namespace {

/// A peer asking for more gets this much (it reads on from where it ends).
constexpr uint64_t max_chunk_bytes = uint64_t{8} << 20;

checkpoint_server_actor::behavior_type checkpoint_server(checkpoint_server_actor::pointer,
                                                         storage::checkpoint_source* source) {
  return {
      [source](const checkpoint_prepare& ask) {
        checkpoint_offer out;
        auto made = source->prepare(ask.min_index);
        if (!made) {
          out.error = made.error().message;
          return out;
        }
        out.id = std::move(made->id);
        out.applied_index = made->applied_index;
        for (auto& f : made->files) {
          out.file_names.push_back(std::move(f.name));
          out.file_sizes.push_back(f.size);
        }
        return out;
      },
      [source](const checkpoint_read& ask) {
        checkpoint_chunk out;
        auto max = static_cast<size_t>(std::min(ask.max, max_chunk_bytes));
        auto read = source->read_chunk(ask.checkpoint, ask.file, ask.offset, max);
        if (read)
          out.bytes = std::move(*read);
        else
          out.error = read.error().message;
        return out;
      },
  };
}

} // namespace

checkpoint_server_actor spawn_checkpoint_server(caf::actor_system& sys,
                                                storage::checkpoint_source& source) {
  return sys.spawn<caf::detached>(checkpoint_server, &source);
}

} // namespace sluice::http
