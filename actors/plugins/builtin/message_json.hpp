#pragma once

#include <sluice/plugin.hpp>

#include "http/json_writer.hpp"

namespace sluice::builtin {

/// Writes the members of one message object into the open object of `w`:
/// `"id","timestamp_ms","attempts","content_type","body"`, the body rendered as the
/// pull API renders it (docs/api.md): a `text` body as a JSON string of its raw UTF-8,
/// any other body (`json`, `bytes`) base64. Shared by the webhook's request and the
/// file-sink's lines so both carry exactly the same fields.
void write_message_members(http::json_writer& w, const Message& message);

} // namespace sluice::builtin
