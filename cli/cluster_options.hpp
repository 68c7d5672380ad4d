#pragma once

#include <string>
#include <vector>

#include "cli/serve.hpp"
#include "storage/replicated/replicated_backend.hpp"

namespace sluice::cli {

/// The replicated store's settings from `sluice serve`'s cluster flags:
/// the local store in DATA_DIR/store, raft's state in DATA_DIR/raft. Returns
/// an error naming the flag, or empty.
std::string cluster_config(const serve_options& opts, storage::replicated_config& out);

/// Parses "1=HOST:PORT,2=HOST:PORT" into voters; an error naming the bad
/// part, or empty.
std::string parse_members(const std::string& text, std::vector<storage::raft::member>& out);

} // namespace sluice::cli
