#include "http/router.hpp"

#include "http/envelope.hpp"

namespace sluice::http {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/')
    path.remove_prefix(1);
  for (;;) {
    auto j = path.find('/');
    out.push_back(path.substr(0, j));
    if (j == std::string_view::npos)
      return out;
    path.remove_prefix(j + 1);
  }
}

void router::add(std::string name, std::string method, std::string_view pattern, handler h,
                 route_scope scope) {
  route r{std::move(name), std::move(method), {}, std::move(h), scope};
  for (auto s : split_path(pattern))
    r.segments.emplace_back(s);
  routes_.push_back(std::move(r));
}

bool router::match(const route& r, const std::vector<std::string_view>& parts,
                   path_params& params) {
  if (r.segments.size() != parts.size())
    return false;
  params.clear();
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto& seg = r.segments[i];
    if (!seg.empty() && seg.front() == '{') {
      if (parts[i].empty())
        return false; // `/queues//messages` names no queue
      params.emplace_back(parts[i]);
    } else if (seg != parts[i])
      return false;
  }
  return true;
}

route_labels router::dispatch(request req, responder reply, bool gated) const {
  auto parts = split_path(req.path);
  path_params params;
  const route* found = nullptr;
  bool path_known = false;
  for (const auto& r : routes_) {
    if (!match(r, parts, params))
      continue;
    path_known = true;
    if (r.method == req.method) {
      found = &r;
      break;
    }
  }
  // Labels stay bounded: route names and known methods only.
  route_labels labels{found ? found->name : (path_known ? "method_not_allowed" : "unknown"),
                      found ? found->method : "other"};
  if (found == nullptr) {
    if (path_known)
      reply(fail(errc::method_not_allowed,
                 "method " + req.method + " is not allowed on " + req.path));
    else
      reply(fail(errc::not_found, "no route for " + req.method + " " + req.path));
    return labels;
  }
  if (gated && gate_ && found->scope == route_scope::leader && gate_(req, reply))
    return labels;
  // Re-match: `params` holds the captures of the last route tried.
  match(*found, parts, params);
  found->fn(req, params, std::move(reply));
  return labels;
}

} // namespace sluice::http
