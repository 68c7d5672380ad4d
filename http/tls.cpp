#include "http/tls.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "http/tls_context.hpp"

namespace sluice::http {

namespace {

/// Empty when `path` can be opened for reading, else why not.
std::string unreadable(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr)
    return std::strerror(errno);
  std::fclose(f);
  return {};
}

/// A key file that is encrypted would make OpenSSL ask for its passphrase on
/// the terminal; a server must fail instead.
int no_passphrase(char*, int, int, void*) {
  return 0;
}

struct bio_deleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct pkey_deleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

} // namespace

std::string openssl_errors() {
  std::string out;
  while (auto e = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(e);
    std::string text = reason != nullptr ? reason : "OpenSSL error " + std::to_string(e);
    if (out.find(text) != std::string::npos)
      continue;
    if (!out.empty())
      out += "; ";
    out += text;
  }
  return out.empty() ? std::string{"unknown OpenSSL error"} : out;
}

tls_config::tls_config(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

tls_config::~tls_config() = default;

std::shared_ptr<const tls_config>
tls_config::load(const std::string& cert_file, const std::string& key_file, std::string& error) {
  ERR_clear_error();
  auto i = std::make_unique<impl>();
  SSL_CTX* ctx = i->ctx.native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // Client-initiated renegotiation costs the server a handshake per request
  // of a client that asks for it: refuse it.
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_default_passwd_cb(ctx, &no_passphrase);
  if (auto why = unreadable(cert_file); !why.empty()) {
    error = "cannot read the TLS certificate " + cert_file + " (--tls-cert): " + why;
    return nullptr;
  }
  if (auto why = unreadable(key_file); !why.empty()) {
    error = "cannot read the TLS key " + key_file + " (--tls-key): " + why;
    return nullptr;
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    error = "the TLS certificate " + cert_file
            + " (--tls-cert) is not a PEM certificate (chain): " + openssl_errors();
    return nullptr;
  }
  // The key is read apart from installing it, so that a key that does not
  // match the certificate is told from one that cannot be read.
  std::unique_ptr<BIO, bio_deleter> bio{BIO_new_file(key_file.c_str(), "r")};
  std::unique_ptr<EVP_PKEY, pkey_deleter> key;
  if (bio)
    key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, &no_passphrase, nullptr));
  if (!key) {
    error = "the TLS key " + key_file
            + " (--tls-key) is not an unencrypted PEM private key: " + openssl_errors();
    return nullptr;
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    error = "the TLS key " + key_file + " (--tls-key) does not belong to the certificate "
            + cert_file + ": " + openssl_errors();
    return nullptr;
  }
  return std::shared_ptr<const tls_config>{new tls_config(std::move(i))};
}

boost::asio::ssl::context client_context(const std::string& ca_file) {
  ERR_clear_error();
  boost::asio::ssl::context ctx{boost::asio::ssl::context::tls_client};
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  ctx.set_verify_mode(boost::asio::ssl::verify_peer);
  if (SSL_CTX_set_default_verify_paths(ctx.native_handle()) != 1)
    ERR_clear_error(); // no system store: only `ca_file` is trusted
  if (ca_file.empty())
    return ctx;
  if (auto why = unreadable(ca_file); !why.empty())
    throw std::runtime_error("cannot read the CA certificates " + ca_file + ": " + why);
  if (SSL_CTX_load_verify_locations(ctx.native_handle(), ca_file.c_str(), nullptr) != 1)
    throw std::runtime_error("the CA file " + ca_file
                             + " holds no PEM certificate: " + openssl_errors());
  return ctx;
}

} // namespace sluice::http
