#pragma once

#include <cstdint>

#include "actors/cluster_messages.hpp"
#include "http/message.hpp"

namespace sluice::http {

/// `req` as request `id` of a forwarding node.
forwarded_request to_forwarded(uint64_t id, request&& req);

/// The request a gateway runs for `fwd`.
request from_forwarded(forwarded_request fwd);

/// `res` as the response to forwarded request `id`.
forwarded_response to_forwarded(uint64_t id, response res);

/// The response a forwarding node writes for `fwd`.
response from_forwarded(forwarded_response fwd);

} // namespace sluice::http
