#pragma once

#include <memory>
#include <stdexcept>
#include <string>

namespace sluice::http {

/// A server certificate and its private key, loaded and checked once at start:
/// the OpenSSL context (TLS 1.2 at least, OpenSSL's default ciphers, no
/// renegotiation) that an HTTPS listener shares between its connections.
/// Immutable after `load`; any thread may use it. Asio/OpenSSL types stay in
/// http/tls_context.hpp, which only http/*.cpp include.
class tls_config {
public:
  /// Reads `cert_file` (PEM: the certificate, then any intermediate CA
  /// certificates) and `key_file` (PEM, unencrypted) and checks that they
  /// belong together. Null with `error` set to one line naming the file and
  /// OpenSSL's reason when either is unreadable, invalid or they do not match.
  static std::shared_ptr<const tls_config> load(const std::string& cert_file,
                                                const std::string& key_file, std::string& error);

  ~tls_config();
  tls_config(const tls_config&) = delete;
  tls_config& operator=(const tls_config&) = delete;

  /// Holds the `boost::asio::ssl::context` (http/tls_context.hpp).
  struct impl;
  impl& native() const { return *impl_; }

private:
  explicit tls_config(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

/// What `client` (http/client.hpp) throws when it does not trust the server's
/// certificate: what() names the cause (e.g. "self-signed certificate in
/// certificate chain", "hostname mismatch"), so callers can add a hint.
struct certificate_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The reasons on OpenSSL's error queue of this thread, oldest first, joined
/// with "; " (empty if none); clears the queue.
std::string openssl_errors();

} // namespace sluice::http
