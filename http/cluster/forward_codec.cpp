#include "http/cluster/forward_codec.hpp"

#include <utility>

namespace sluice::http {

forwarded_request to_forwarded(uint64_t id, request&& req) {
  forwarded_request f;
  f.id = id;
  f.method = std::move(req.method);
  f.path = std::move(req.path);
  f.query = std::move(req.query);
  f.authorization = std::move(req.authorization);
  f.body = std::move(req.body);
  f.content_type = std::move(req.content_type);
  f.peer = std::move(req.peer);
  if (req.idempotency_key)
    f.idempotency_key = std::move(*req.idempotency_key);
  return f;
}

request from_forwarded(forwarded_request fwd) {
  request r;
  r.method = std::move(fwd.method);
  r.path = std::move(fwd.path);
  r.query = std::move(fwd.query);
  r.authorization = std::move(fwd.authorization);
  r.body = std::move(fwd.body);
  r.content_type = std::move(fwd.content_type);
  r.peer = std::move(fwd.peer);
  if (fwd.idempotency_key)
    r.idempotency_key = std::move(*fwd.idempotency_key);
  return r;
}

forwarded_response to_forwarded(uint64_t id, response res) {
  forwarded_response f;
  f.id = id;
  f.status = res.status;
  f.body = std::move(res.body);
  f.content_type = std::move(res.content_type);
  for (auto& [name, value] : res.headers) {
    f.header_names.push_back(std::move(name));
    f.header_values.push_back(std::move(value));
  }
  return f;
}

response from_forwarded(forwarded_response fwd) {
  response r;
  r.status = fwd.status;
  r.body = std::move(fwd.body);
  r.content_type = std::move(fwd.content_type);
  for (size_t i = 0; i < fwd.header_names.size() && i < fwd.header_values.size(); ++i)
    r.headers.emplace_back(std::move(fwd.header_names[i]), std::move(fwd.header_values[i]));
  return r;
}

} // namespace sluice::http
