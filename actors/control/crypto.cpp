#include "actors/control/crypto.hpp"

#include <stdexcept>
#include <vector>

#include <openssl/evp.h>
#include <openssl/rand.h>

namespace sluice {

namespace {

std::string to_hex(const unsigned char* p, size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(digits[p[i] >> 4]);
    out.push_back(digits[p[i] & 0xF]);
  }
  return out;
}

} // namespace

std::string hex_encode(std::string_view bytes) {
  return to_hex(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::string random_hex(size_t n) {
  std::vector<unsigned char> buf(n);
  // RAND_bytes only fails when the OS has no entropy source at all; there is
  // no safe way to continue issuing ids or tokens then.
  if (RAND_bytes(buf.data(), static_cast<int>(n)) != 1)
    throw std::runtime_error("OpenSSL RAND_bytes failed: no entropy");
  return to_hex(buf.data(), n);
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(bytes.data()),
                           static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool base64_decode(std::string_view text, std::string& out) {
  if (text.size() % 4 != 0)
    return false;
  out.assign(3 * text.size() / 4, '\0');
  auto n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(text.data()),
                           static_cast<int>(text.size()));
  if (n < 0)
    return false;
  // EVP_DecodeBlock counts padding as zero bytes: drop them.
  size_t pad = 0;
  if (!text.empty() && text.back() == '=')
    pad = (text.size() >= 2 && text[text.size() - 2] == '=') ? 2 : 1;
  out.resize(static_cast<size_t>(n) - pad);
  return true;
}

std::string base64url_encode(std::string_view bytes) {
  auto s = base64_encode(bytes);
  while (!s.empty() && s.back() == '=')
    s.pop_back();
  for (auto& c : s)
    c = c == '+' ? '-' : (c == '/' ? '_' : c);
  return s;
}

bool base64url_decode(std::string_view text, std::string& out) {
  std::string s{text};
  for (auto& c : s) {
    if (c == '+' || c == '/' || c == '=')
      return false;
    c = c == '-' ? '+' : (c == '_' ? '/' : c);
  }
  while (s.size() % 4 != 0)
    s.push_back('=');
  return base64_decode(s, out);
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return to_hex(md, len);
}

} // namespace sluice
