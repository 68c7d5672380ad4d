#pragma once

#include <string>

#include <sluice/plugin.hpp>

namespace sluice::builtin {

/// Appends the members of one message object, without the braces:
/// `"id":…,"timestamp_ms":…,"attempts":…,"content_type":…,"body":…`, the body rendered as
/// the pull API renders it (SPEC §2): a `text` body as a JSON string of its raw UTF-8,
/// any other body (`json`, `bytes`) base64. Shared by the webhook's request and the
/// file-sink's lines so both carry exactly the same fields.
void append_message_members(std::string& out, const Message& message);

/// Appends `"name":` with `name` escaped: the start of one member of a JSON object.
void append_json_key(std::string& out, std::string_view name);

} // namespace sluice::builtin
