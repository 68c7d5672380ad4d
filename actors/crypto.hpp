#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice {

/// `n` bytes from the OS CSPRNG (OpenSSL), as 2n lowercase hex chars.
/// Thread-safe. Used for queue ids, token ids and token secrets.
std::string random_hex(size_t n);

/// Lowercase hex SHA-256 of `data`. Thread-safe.
std::string sha256_hex(std::string_view data);

} // namespace sluice
