#pragma once

#include <string>

#include <simdjson.h>

#include "cli/remote.hpp"

namespace sluice::cli {

/// The body of a pulled or peeked message `m` as a person reads it, on one
/// line: `text` as sent; `json` decoded from base64 and printed as compact
/// JSON; `bytes` decoded when they are valid UTF-8, else left in base64 and
/// prefixed "base64:". Newlines, tabs and carriage returns are shown as \n, \t
/// and \r so that a body keeps to its table row.
std::string readable_body(simdjson::dom::element m);

/// Where a dead-lettered message `m` came from, on one line: "from orders
/// after 4 attempts: exception: …" (the last error only if one was reported);
/// "" for a message that is not a dead letter.
std::string dead_letter_text(simdjson::dom::element m);

/// Prints the `messages` of a pull or peek result as a table: id, attempts,
/// sent (human time, cli/time_format.hpp), body, the column `id_key`
/// ("lease_id") when it is not empty, and "dead-lettered" (`dead_letter_text`)
/// when some message is a dead letter.
void print_messages(simdjson::dom::element messages, const char* id_key);

/// "0 ready, 1 delayed, 2 in flight" from a GET …/metrics result.
std::string holdings_text(simdjson::dom::element metrics);

/// What queue `queue_id` holds now, from GET …/metrics:
/// "0 ready, 1 delayed, 2 in flight". Throws `cli_error` as `remote::call` does.
std::string queue_holdings(remote& api, const std::string& queue_id);

} // namespace sluice::cli
