#pragma once

#include <string>

#include <simdjson.h>

namespace sluice::cli {

/// A consumer object of the API (docs/api.md, Consumers) as readable lines for
/// `queues info`: "Consumer: http_pull (id …)" and then one indented line per
/// setting ("  Batch size: 7", "  Visibility timeout: 60 s", "  Dead-letter
/// queue: jobs-dlq"); settings this CLI does not know print as "  key: value".
std::string consumer_text(simdjson::dom::element consumer);

} // namespace sluice::cli
