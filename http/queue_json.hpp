#pragma once

#include <cstdint>
#include <string>

#include "actors/control/time_format.hpp"
#include "actors/messages.hpp"
#include "http/json_reader.hpp"
#include "http/json_writer.hpp"

namespace sluice::http {

/// Writes a queue object as clients expect it (docs/api.md): ids, name, times,
/// settings, and the `consumers` / `producers` arrays with their counts.
void write_queue(json_writer& w, const storage::queue_record& q);

/// Writes a consumer as the consumers API and the queue object show it.
void write_consumer(json_writer& w, const storage::queue_record& q,
                    const storage::consumer_record& c);

/// Reads a consumer create/update body into `out` (error text or empty).
std::string read_consumer(simdjson::dom::object body, consumer_patch& out);

/// Reads the optional `settings` object of a create/update body into `out`.
/// Returns an error text naming the field, or empty.
std::string read_settings(simdjson::dom::object body, settings_patch& out);

} // namespace sluice::http
