#pragma once

#include <string>

#include <boost/asio/ssl/context.hpp>

#include "http/tls.hpp"

namespace sluice::http {

/// The Asio side of `tls_config`, for http/server.cpp.
struct tls_config::impl {
  boost::asio::ssl::context ctx{boost::asio::ssl::context::tls_server};
};

/// A client context (TLS 1.2 at least) that trusts the system's CA store
/// (OpenSSL's default paths; `SSL_CERT_FILE` / `SSL_CERT_DIR` move it) and the
/// PEM certificates in `ca_file` if not empty, and verifies the peer. Throws
/// `std::runtime_error` naming the file and OpenSSL's reason if `ca_file`
/// cannot be read or holds no certificate. For http/client.cpp.
boost::asio::ssl::context client_context(const std::string& ca_file);

} // namespace sluice::http
