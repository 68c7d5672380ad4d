#include "http/outbound_policy.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <stdexcept>

namespace sluice::http {

namespace net = boost::asio::ip;

namespace {

std::string lower(std::string_view s) {
  std::string out{s};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!out.empty() && out.back() == '.') // "host." is the same name as "host"
    out.pop_back();
  return out;
}

bool in(const net::address_v4& a, const net::network_v4& n) {
  return net::network_v4(a, n.prefix_length()).network() == n.network();
}

bool in(const net::address_v6& a, const net::network_v6& n) {
  return net::network_v6(a, n.prefix_length()).network() == n.network();
}

/// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are the IPv4 address they map.
net::address normal(const net::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return net::make_address_v4(net::v4_mapped, a.to_v6());
  return a;
}

/// Refused unless allowed: link-local (the metadata services live there), the other
/// cloud metadata addresses, unspecified addresses.
std::string refused_kind(const net::address& a) {
  if (a.is_v4()) {
    auto v4 = a.to_v4();
    if (in(v4, net::make_network_v4("169.254.0.0/16")))
      return "a link-local address (where cloud metadata services answer)";
    if (v4 == net::make_address_v4("100.100.100.200"))
      return "a cloud metadata address";
    if (in(v4, net::make_network_v4("0.0.0.0/8")))
      return "an unspecified address";
    return {};
  }
  auto v6 = a.to_v6();
  if (v6.is_link_local())
    return "a link-local address (where cloud metadata services answer)";
  if (v6 == net::make_address_v6("fd00:ec2::254"))
    return "a cloud metadata address";
  if (v6.is_unspecified())
    return "an unspecified address";
  return {};
}

bool metadata_name(const std::string& host) {
  return host == "metadata.google.internal" || host == "metadata";
}

std::shared_ptr<const outbound_policy>& installed() {
  static std::shared_ptr<const outbound_policy> policy;
  return policy;
}

} // namespace

outbound_policy::outbound_policy(const std::vector<std::string>& allow, std::string sink_root)
  : sink_root_(std::filesystem::path(sink_root).lexically_normal().string()) {
  if (sink_root_.size() > 1 && sink_root_.back() == '/')
    sink_root_.pop_back();
  for (const auto& entry : allow) {
    boost::system::error_code ec;
    if (entry.find('/') != std::string::npos) {
      if (entry.find(':') != std::string::npos) {
        auto n = net::make_network_v6(entry, ec);
        if (!ec) {
          nets6_.push_back(n.canonical());
          continue;
        }
      } else {
        auto n = net::make_network_v4(entry, ec);
        if (!ec) {
          nets4_.push_back(n.canonical());
          continue;
        }
      }
      throw std::invalid_argument("--webhook-allow: '" + entry
                                  + "' is not a network (e.g. 10.0.0.0/8 or fd00::/8)");
    }
    auto a = net::make_address(entry, ec);
    if (!ec) {
      a = normal(a);
      if (a.is_v4())
        nets4_.emplace_back(a.to_v4(), 32);
      else
        nets6_.emplace_back(a.to_v6(), 128);
      continue;
    }
    auto name = lower(entry);
    auto bare = name.rfind("*.", 0) == 0 ? name.substr(2) : name;
    bool ok =
        !bare.empty() && bare.size() <= 253 && std::all_of(bare.begin(), bare.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
        });
    if (!ok)
      throw std::invalid_argument("--webhook-allow: '" + entry
                                  + "' is not a network, an address or a host name");
    names_.push_back(name);
  }
}

bool outbound_policy::allowed(const net::address& a) const {
  auto n = normal(a);
  if (n.is_v4())
    return std::any_of(nets4_.begin(), nets4_.end(),
                       [&](const auto& net4) { return in(n.to_v4(), net4); });
  return std::any_of(nets6_.begin(), nets6_.end(),
                     [&](const auto& net6) { return in(n.to_v6(), net6); });
}

bool outbound_policy::allowed_name(std::string_view host) const {
  auto h = lower(host);
  return std::any_of(names_.begin(), names_.end(), [&](const std::string& entry) {
    if (entry.rfind("*.", 0) != 0)
      return entry == h;
    auto suffix = entry.substr(1); // ".example.com"
    return h.size() > suffix.size()
           && h.compare(h.size() - suffix.size(), suffix.size(), suffix) == 0;
  });
}

std::string outbound_policy::check_address(const net::address& address) const {
  if (allowed(address))
    return {};
  auto kind = refused_kind(normal(address));
  if (kind.empty())
    return {};
  return normal(address).to_string() + " is " + kind
         + "; the operator must allow it with --webhook-allow";
}

std::string outbound_policy::check_host(std::string_view host, bool all_accounts) const {
  boost::system::error_code ec;
  auto a = net::make_address(std::string{host}, ec);
  if (!ec) {
    if (allowed(a))
      return {};
    if (auto refused = check_address(a); !refused.empty())
      return refused;
  } else {
    if (allowed_name(host))
      return {};
    if (metadata_name(lower(host)))
      return "'" + std::string{host}
             + "' is a cloud metadata service; the operator must allow it with --webhook-allow";
  }
  if (all_accounts)
    return {};
  return "'" + std::string{host}
         + "' is not in the operator's --webhook-allow list, which is all a token for one "
           "account may send to (ask the operator to add it, or deploy with a token for "
           "all accounts)";
}

std::string outbound_policy::sink_directory(std::string_view dir) const {
  std::filesystem::path p{std::string{dir}};
  for (const auto& part : p)
    if (part == "..")
      throw std::invalid_argument("DIR '" + std::string{dir}
                                  + "' must not contain '..'; name a directory under the sink "
                                    "root "
                                  + sink_root_);
  auto root = std::filesystem::path(sink_root_);
  auto full = (p.is_absolute() ? p : root / p).lexically_normal();
  auto rel = full.lexically_relative(root);
  if (rel.empty() || *rel.begin() == "..")
    throw std::invalid_argument("DIR '" + std::string{dir} + "' is outside the sink root "
                                + sink_root_
                                + " (--sink-root); use a path relative to it, e.g. 'orders'");
  return full.string();
}

void outbound_policy::install(std::shared_ptr<const outbound_policy> policy) {
  std::atomic_store(&installed(), std::move(policy));
}

std::shared_ptr<const outbound_policy> outbound_policy::current() {
  return std::atomic_load(&installed());
}

} // namespace sluice::http
