#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice {

/// `n` bytes from the OS CSPRNG (OpenSSL), as 2n lowercase hex chars.
/// Thread-safe. Used for queue ids, token ids and token secrets.
std::string random_hex(size_t n);

/// Lowercase hex of `bytes`.
std::string hex_encode(std::string_view bytes);

/// Lowercase hex SHA-256 of `data`. Thread-safe.
std::string sha256_hex(std::string_view data);

/// base64url without padding (RFC 4648 §5), via OpenSSL.
std::string base64url_encode(std::string_view bytes);
/// False on invalid input.
bool base64url_decode(std::string_view text, std::string& out);
/// Standard base64 with padding, via OpenSSL (pull bodies, docs/api.md).
std::string base64_encode(std::string_view bytes);
/// False on invalid input.
bool base64_decode(std::string_view text, std::string& out);

} // namespace sluice
