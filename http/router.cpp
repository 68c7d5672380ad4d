#include "http/router.hpp"

#include <chrono>

#include "http/envelope.hpp"
#include "metrics/registry.hpp"

namespace sluice::http {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    auto j = path.find('/', i);
    if (j == std::string_view::npos)
      j = path.size();
    if (j > i)
      out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

void router::add(std::string name, std::string method, std::string_view pattern, handler h) {
  route r{std::move(name), std::move(method), {}, std::move(h)};
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
    if (!seg.empty() && seg.front() == '{')
      params.emplace_back(parts[i]);
    else if (seg != parts[i])
      return false;
  }
  return true;
}

void router::dispatch(request req, responder reply, metrics::registry* metrics) const {
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
  std::string name = found ? found->name : (path_known ? "method_not_allowed" : "unknown");
  std::string method = found ? found->method : "other";
  responder counted = reply;
  if (metrics != nullptr) {
    auto start = std::chrono::steady_clock::now();
    counted = [reply, metrics, name, method, start](response r) {
      std::chrono::duration<double> dt = std::chrono::steady_clock::now() - start;
      metrics->observe_http(name, method, r.status, dt.count());
      reply(std::move(r));
    };
  }
  if (found == nullptr) {
    if (path_known)
      counted(fail(errc::method_not_allowed,
                   "method " + req.method + " is not allowed on " + req.path));
    else
      counted(fail(errc::not_found, "no route for " + req.method + " " + req.path));
    return;
  }
  // Re-match: `params` holds the captures of the last route tried.
  match(*found, parts, params);
  found->fn(req, params, std::move(counted));
}

} // namespace sluice::http
