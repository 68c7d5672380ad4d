#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/command.hpp"

/// The bytes of a `store_command` in a replicated log (docs/cluster.md).
///
/// Layout: a format byte (`command_format`), a kind byte, for message
/// commands the target (queue id, shard), then the command's fields. Every
/// struct (the command and each record in it) is a length-prefixed run of its
/// fields in declaration order, so a field added at the end of a struct is
/// read as its default from bytes written before it existed, and a reader
/// skips fields added after it was built. A change that readers must not
/// skip takes a new format byte, which older readers refuse.
///
/// Each new field of a command or record must be added in
/// `command_codec.cpp` (at the end of its struct's field list) and to the
/// round-trip test (tests/unit/storage/replicated/command_codec_test.cpp).

namespace sluice::storage {

/// The format byte this build writes (and the only one it reads).
inline constexpr uint8_t command_format = 1;

/// `cmd` as bytes (never fails).
std::string encode_command(const store_command& cmd);

/// The command `bytes` hold; nullopt for bytes that are not a command of
/// `command_format` (truncated, unknown kind or format).
std::optional<store_command> decode_command(std::string_view bytes);

} // namespace sluice::storage
