#include "http/json_reader.hpp"

#include <cmath>

namespace sluice::http {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

/// Finds `key`; false when absent or null.
bool lookup(simdjson::dom::object obj, std::string_view key, element& out) {
  auto r = obj.at_key(key);
  if (r.error())
    return false;
  out = r.value_unsafe();
  return !out.is_null();
}

std::string must_be(std::string_view path, std::string_view what) {
  return std::string{path} + " must be " + std::string{what};
}

} // namespace

std::string json_reader::parse(const std::string& body, bool allow_empty) {
  malformed_ = false;
  static const std::string empty_object = "{}";
  const auto& text =
      (allow_empty && body.find_first_not_of(" \t\r\n") == std::string::npos) ? empty_object : body;
  auto doc = parser_.parse(text);
  if (doc.error()) {
    malformed_ = true;
    return std::string{"request body is not valid JSON ("} + simdjson::error_message(doc.error())
           + ")";
  }
  auto obj = doc.value_unsafe().get_object();
  if (obj.error())
    return "request body must be a JSON object";
  root_ = obj.value_unsafe();
  return {};
}

std::string json_reader::get_string(simdjson::dom::object obj, std::string_view key,
                                    std::string_view path, caf::optional<std::string>& out) {
  element e;
  if (!lookup(obj, key, e))
    return {};
  std::string_view s;
  if (e.get(s) != simdjson::SUCCESS)
    return must_be(path, "a string");
  out = std::string{s};
  return {};
}

std::string json_reader::get_int(simdjson::dom::object obj, std::string_view key,
                                 std::string_view path, caf::optional<int64_t>& out) {
  element e;
  if (!lookup(obj, key, e))
    return {};
  switch (e.type()) {
    case element_type::INT64:
      out = int64_t{e.get_int64().value_unsafe()};
      return {};
    case element_type::UINT64:
      return must_be(path, "an integer within range");
    case element_type::DOUBLE: {
      // JSON has one number type: 30.0 is an integer, 30.5 is not.
      double d = e.get_double().value_unsafe();
      if (std::floor(d) == d && std::fabs(d) < 9.0e15) {
        out = static_cast<int64_t>(d);
        return {};
      }
      return must_be(path, "an integer");
    }
    default:
      return must_be(path, "an integer");
  }
}

std::string json_reader::get_bool(simdjson::dom::object obj, std::string_view key,
                                  std::string_view path, caf::optional<bool>& out) {
  element e;
  if (!lookup(obj, key, e))
    return {};
  bool b = false;
  if (e.get(b) != simdjson::SUCCESS)
    return must_be(path, "true or false");
  out = b;
  return {};
}

std::string json_reader::get_string_array(simdjson::dom::object obj, std::string_view key,
                                          std::string_view path,
                                          caf::optional<std::vector<std::string>>& out) {
  element e;
  if (!lookup(obj, key, e))
    return {};
  simdjson::dom::array arr;
  if (e.get(arr) != simdjson::SUCCESS)
    return must_be(path, "an array of strings");
  std::vector<std::string> items;
  for (auto item : arr) {
    std::string_view s;
    if (item.get(s) != simdjson::SUCCESS)
      return must_be(path, "an array of strings");
    items.emplace_back(s);
  }
  out = std::move(items);
  return {};
}

std::string json_reader::get_object(simdjson::dom::object obj, std::string_view key,
                                    std::string_view path, simdjson::dom::object& out,
                                    bool& found) {
  found = false;
  element e;
  if (!lookup(obj, key, e))
    return {};
  if (e.get(out) != simdjson::SUCCESS)
    return must_be(path, "an object");
  found = true;
  return {};
}

} // namespace sluice::http
