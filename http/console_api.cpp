#include "http/api.hpp"

#include "http/console_assets.hpp"
#include "http/envelope.hpp"

namespace sluice::http {

namespace {

std::string_view content_type_of(std::string_view name) {
  auto ends = [name](std::string_view ext) {
    return name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext;
  };
  if (ends(".html"))
    return "text/html; charset=utf-8";
  if (ends(".css"))
    return "text/css; charset=utf-8";
  if (ends(".js"))
    return "text/javascript; charset=utf-8";
  if (ends(".svg"))
    return "image/svg+xml";
  return "application/octet-stream";
}

/// The asset `name`, with headers that keep the console self-contained: no
/// inline script, nothing from elsewhere (the assets work offline).
response asset(std::string_view name) {
  for (const auto& f : console::embedded_assets()) {
    if (f.name != name)
      continue;
    response res;
    res.body = std::string{f.text};
    res.content_type = std::string{content_type_of(name)};
    res.headers = {{"Content-Security-Policy",
                    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' "
                    "data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                    "form-action 'none'"},
                   {"X-Content-Type-Options", "nosniff"},
                   {"Cache-Control", "no-cache"},
                   {"Referrer-Policy", "no-referrer"}};
    return res;
  }
  return fail(errc::not_found, "no console file named '" + std::string{name} + "'");
}

} // namespace

void add_console_routes(router& r, api_context&) {
  r.add(
      "console.index", "GET", "/",
      [](request&, path_params&, responder reply) { reply(asset("index.html")); },
      route_scope::node);
  r.add(
      "console.file", "GET", "/console/{file}",
      [](request&, path_params& p, responder reply) { reply(asset(p[0])); }, route_scope::node);
}

} // namespace sluice::http
