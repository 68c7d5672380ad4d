#pragma once

#include <string>

#include "actors/messages.hpp"
#include "storage/records.hpp"

/// The consumer bounds of docs/api.md as a pure function the hub calls and unit
/// tests drive directly.

namespace sluice {

/// Applies `patch` to `rec`. With `replace` (PUT), settings absent from
/// `patch` return to the defaults of the consumer's type; the type itself is
/// fixed at creation. Returns an error text naming the field, or empty; on
/// error `rec` is unchanged.
std::string apply_consumer(const consumer_patch& patch, bool replace,
                           storage::consumer_record& rec);

} // namespace sluice
