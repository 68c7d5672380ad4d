#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "storage/redrive_record.hpp"

/// The `meta` key and binary codec of a redrive task (docs/api.md,
/// "Redrive"). Only `storage/rocksdb/` includes this.

namespace sluice::storage {

/// Key prefix of every redrive task.
inline constexpr std::string_view redrive_prefix = "redrive/";
/// `meta` key of a queue's redrive task: `redrive/<account>/<source_queue_id>`.
std::string redrive_key(std::string_view account, std::string_view source_queue_id);

/// The record's bytes (a format version first, then every field).
std::string encode(const redrive_record& x);
/// Nullopt for bytes that are not a redrive record of this version.
std::optional<redrive_record> decode_redrive(std::string_view bytes);

} // namespace sluice::storage
