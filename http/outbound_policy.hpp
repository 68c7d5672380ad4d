#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

namespace sluice::http {

/// Where the built-in plugins may send batches (docs/plugins.md, "Where plugins may
/// write"): the operator's `--webhook-allow` list and `--sink-root`.
///
/// Webhook destinations:
///   - link-local addresses (169.254.0.0/16, fe80::/10, which hold the cloud metadata
///     services), the other metadata addresses (fd00:ec2::254, 100.100.100.200,
///     `metadata.google.internal`) and unspecified ones (0.0.0.0/8, ::) are refused for
///     everyone unless an allow entry names them;
///   - a token for all accounts may name any other host;
///   - an account-scoped admin may name only hosts the allow list holds: an address in
///     one of its networks, or a name equal to a name entry (`*.example.com` matches
///     its subdomains).
/// The same rules are checked when a script is deployed (by name and literal address)
/// and when a webhook connects (every address the name resolved to), so a name that
/// later resolves to a refused address is caught then.
///
/// File-sink directories are relative to the sink root, or absolute inside it, with no
/// `..` component; they are created under it on first use.
class outbound_policy {
public:
  /// Parses `entries` (each a CIDR network, an address, a host name, or `*.domain`).
  /// Throws std::invalid_argument naming the entry that is none of them.
  outbound_policy(const std::vector<std::string>& allow, std::string sink_root);

  /// Empty when `host` (a name or an address, as in a URL) may be named by a deployer
  /// with (`all_accounts`) or without access to every account; else why not.
  std::string check_host(std::string_view host, bool all_accounts) const;

  /// Empty when a webhook may connect to `address`; else why not.
  std::string check_address(const boost::asio::ip::address& address) const;

  /// The directory `dir` (a file-sink's DIR) stands for under the sink root, or throws
  /// std::invalid_argument saying why it is outside.
  std::string sink_directory(std::string_view dir) const;

  const std::string& sink_root() const { return sink_root_; }

  /// The policy of this process, used by the built-ins: none installed, nothing is
  /// refused and DIR is taken as it is (tests of the plugins themselves). `sluice
  /// serve` installs one at start, before any plugin runs.
  static void install(std::shared_ptr<const outbound_policy> policy);
  static std::shared_ptr<const outbound_policy> current();

private:
  bool allowed(const boost::asio::ip::address& a) const;
  bool allowed_name(std::string_view host) const;

  std::vector<boost::asio::ip::network_v4> nets4_;
  std::vector<boost::asio::ip::network_v6> nets6_;
  std::vector<std::string> names_; ///< lower case; "*.x" entries keep their "*."
  std::string sink_root_;
};

} // namespace sluice::http
