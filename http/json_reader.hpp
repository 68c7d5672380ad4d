#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <caf/optional.hpp>
#include <simdjson.h>

namespace sluice::http {

/// Reads typed fields out of a request body with simdjson (DOM). Every
/// failure is a sentence naming the field, e.g. "settings.delivery_delay must
/// be an integer"; an empty string means success. Absent fields and JSON
/// `null` leave the output unset; unknown fields are ignored.
class json_reader {
public:
  /// Parses `body`. An empty body counts as `{}` when `allow_empty`. Returns an
  /// error text for malformed JSON (see `malformed()`) or a non-object root.
  std::string parse(const std::string& body, bool allow_empty = false);

  /// True if the last `parse` failed because the text is not JSON at all.
  bool malformed() const { return malformed_; }

  /// The root object (valid after a successful `parse`).
  simdjson::dom::object root() const { return root_; }

  /// Field readers. `path` is the field's name as shown in messages.
  static std::string get_string(simdjson::dom::object obj, std::string_view key,
                                std::string_view path, caf::optional<std::string>& out);
  static std::string get_int(simdjson::dom::object obj, std::string_view key, std::string_view path,
                             caf::optional<int64_t>& out);
  static std::string get_bool(simdjson::dom::object obj, std::string_view key,
                              std::string_view path, caf::optional<bool>& out);
  /// An array of strings.
  static std::string get_string_array(simdjson::dom::object obj, std::string_view key,
                                      std::string_view path,
                                      caf::optional<std::vector<std::string>>& out);
  /// `found` is false when the key is absent or null.
  static std::string get_object(simdjson::dom::object obj, std::string_view key,
                                std::string_view path, simdjson::dom::object& out, bool& found);

private:
  simdjson::dom::parser parser_;
  simdjson::dom::object root_;
  bool malformed_ = false;
};

} // namespace sluice::http
