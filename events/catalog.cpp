#include "events/catalog.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>

#include "events/catalog_data.hpp"

namespace sluice::events {

namespace {

using simdjson::SUCCESS;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

constexpr std::string_view field_types[] = {"string",  "integer", "number",
                                            "boolean", "object",  "array"};

template <class Range, class Name>
std::string join(const Range& items, Name name) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty())
      out += ", ";
    out += name(item);
  }
  return out;
}

bool known_type(std::string_view type) {
  return std::find(std::begin(field_types), std::end(field_types), type) != std::end(field_types);
}

/// "1" → 1; 0 for anything that is not a positive decimal without leading zeros.
int parse_version(std::string_view key) {
  if (key.empty() || key.size() > 6 || key[0] == '0')
    return 0;
  int v = 0;
  for (char c : key) {
    if (c < '0' || c > '9')
      return 0;
    v = v * 10 + (c - '0');
  }
  return v;
}

bool snake_case_name(std::string_view s) {
  if (s.empty())
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

/// Turns one parsed catalog file into a source_type; the first problem found is
/// kept in `error`, prefixed with the file's name and JSON path.
class file_reader {
public:
  explicit file_reader(std::string where) : where_(std::move(where)) {}

  bool read(element root, source_type& out) {
    object obj;
    if (root.get_object().get(obj) != SUCCESS)
      return fail("the file", "must be a JSON object");
    if (!only_keys(obj, "", {"source", "filters", "description", "events"}))
      return false;
    std::string_view type;
    if (obj["source"].get(type) != SUCCESS || type.empty())
      return fail("source", "is required and must be a non-empty string");
    out.type = std::string{type};
    where_ += " (source '" + out.type + "')";
    if (!read_filters(obj, out.filters))
      return false;
    object events;
    if (obj["events"].get(events) != SUCCESS)
      return fail("events", "is required and must be an object");
    for (auto [name, value] : events) {
      event_type ev;
      ev.name = std::string{name};
      if (ev.name.empty())
        return fail("events", "has an empty event name");
      if (!read_event(value, "events." + ev.name, ev))
        return false;
      out.events.push_back(std::move(ev));
    }
    if (out.events.empty())
      return fail("events", "must list at least one event");
    std::sort(out.events.begin(), out.events.end(),
              [](const event_type& a, const event_type& b) { return a.name < b.name; });
    for (size_t i = 1; i < out.events.size(); ++i)
      if (out.events[i].name == out.events[i - 1].name)
        return fail("events." + out.events[i].name, "is listed twice");
    return true;
  }

  std::string error;

private:
  bool fail(std::string_view path, std::string_view what) {
    error = where_ + ": " + std::string{path} + " " + std::string{what};
    return false;
  }

  bool only_keys(object obj, const std::string& path,
                 std::initializer_list<std::string_view> keys) {
    for (const auto& member : obj) {
      if (std::find(keys.begin(), keys.end(), member.key) == keys.end())
        return fail(path + (path.empty() ? "" : ".") + std::string{member.key},
                    "is not a known key (expected one of: "
                        + join(keys, [](std::string_view k) { return std::string{k}; }) + ")");
    }
    return true;
  }

  bool read_filters(object obj, std::vector<std::string>& out) {
    element filters;
    if (obj["filters"].get(filters) != SUCCESS)
      return true; // absent: no filters
    array list;
    if (filters.get_array().get(list) != SUCCESS)
      return fail("filters", "must be an array of snake_case field names");
    for (element item : list) {
      std::string_view name;
      if (item.get(name) != SUCCESS || !snake_case_name(name))
        return fail("filters", "must be an array of snake_case field names");
      out.emplace_back(name);
    }
    return true;
  }

  bool read_event(element value, const std::string& path, event_type& out) {
    object obj;
    if (value.get_object().get(obj) != SUCCESS)
      return fail(path, "must be an object");
    if (!only_keys(obj, path, {"description", "versions"}))
      return false;
    object versions;
    if (obj["versions"].get(versions) != SUCCESS)
      return fail(path + ".versions", "is required and must be an object");
    for (auto [key, schema] : versions) {
      std::string vpath = path + ".versions." + std::string{key};
      schema_version v;
      v.version = parse_version(key);
      if (v.version == 0)
        return fail(vpath, "is not a version number (use \"1\", \"2\", ...)");
      if (!read_version(schema, vpath, v))
        return false;
      out.versions.push_back(std::move(v));
    }
    if (out.versions.empty())
      return fail(path + ".versions", "must list at least one version");
    std::sort(
        out.versions.begin(), out.versions.end(),
        [](const schema_version& a, const schema_version& b) { return a.version < b.version; });
    for (size_t i = 1; i < out.versions.size(); ++i)
      if (out.versions[i].version == out.versions[i - 1].version)
        return fail(path + ".versions." + std::to_string(out.versions[i].version),
                    "is listed twice");
    return true;
  }

  bool read_version(element value, const std::string& path, schema_version& out) {
    object obj;
    if (value.get_object().get(obj) != SUCCESS)
      return fail(path, "must be an object");
    if (!only_keys(obj, path, {"description", "fields"}))
      return false;
    object fields;
    if (obj["fields"].get(fields) != SUCCESS)
      return fail(path + ".fields", "is required and must be an object");
    for (auto [name, spec] : fields) {
      std::string fpath = path + ".fields." + std::string{name};
      if (name.empty())
        return fail(path + ".fields", "has an empty field name");
      for (const auto& f : out.fields)
        if (f.name == name)
          return fail(fpath, "is listed twice");
      field_schema f;
      f.name = std::string{name};
      if (!read_field(spec, fpath, f))
        return false;
      out.fields.push_back(std::move(f));
    }
    return true;
  }

  bool read_field(element value, const std::string& path, field_schema& out) {
    object obj;
    if (value.get_object().get(obj) != SUCCESS)
      return fail(path, "must be an object like {\"type\": \"string\", \"required\": true}");
    if (!only_keys(obj, path, {"type", "required", "description"}))
      return false;
    std::string_view type;
    if (obj["type"].get(type) != SUCCESS || !known_type(type))
      return fail(path + ".type", "must be one of: " + join(field_types, [](std::string_view t) {
                                    return std::string{t};
                                  }));
    out.type = std::string{type};
    element required;
    if (obj["required"].get(required) == SUCCESS && required.get(out.required) != SUCCESS)
      return fail(path + ".required", "must be true or false");
    return true;
  }

  std::string where_;
};

/// Whether `value` (not null) has the catalog type `type`.
bool has_type(element value, std::string_view type) {
  switch (value.type()) {
    case element_type::STRING:
      return type == "string";
    case element_type::INT64:
    case element_type::UINT64:
      return type == "integer" || type == "number";
    case element_type::DOUBLE: {
      if (type == "number")
        return true;
      // JSON has one number type: 30.0 is an integer, 30.5 is not.
      double d = value.get_double().value_unsafe();
      return type == "integer" && std::floor(d) == d && std::fabs(d) < 9.0e15;
    }
    case element_type::BOOL:
      return type == "boolean";
    case element_type::OBJECT:
      return type == "object";
    case element_type::ARRAY:
      return type == "array";
    default:
      return false;
  }
}

std::string_view with_article(std::string_view type) {
  if (type == "string")
    return "a string";
  if (type == "integer")
    return "an integer";
  if (type == "number")
    return "a number";
  if (type == "boolean")
    return "a boolean";
  if (type == "object")
    return "an object";
  return "an array";
}

} // namespace

const catalog& catalog::builtin() {
  static const catalog instance = [] {
    std::vector<named_text> files;
    for (const auto& f : detail::embedded_catalog())
      files.push_back({std::string{f.name}, f.text});
    catalog c;
    std::string error;
    if (!c.load_named(files, error)) {
      std::fprintf(stderr, "sluice: the built-in event catalog does not load: %s\n", error.c_str());
      std::abort();
    }
    return c;
  }();
  return instance;
}

bool catalog::load(const std::vector<std::string>& files, std::string& error) {
  std::vector<named_text> named;
  for (size_t i = 0; i < files.size(); ++i)
    named.push_back({"catalog file " + std::to_string(i + 1), files[i]});
  return load_named(named, error);
}

bool catalog::load_named(const std::vector<named_text>& files, std::string& error) {
  std::vector<source_type> loaded;
  simdjson::dom::parser parser;
  for (const auto& file : files) {
    element root;
    auto code = parser.parse(file.text.data(), file.text.size(), true).get(root);
    if (code != SUCCESS) {
      error = file.name + ": not valid JSON (" + simdjson::error_message(code) + ")";
      return false;
    }
    file_reader reader{file.name};
    source_type src;
    if (!reader.read(root, src)) {
      error = std::move(reader.error);
      return false;
    }
    for (const auto& other : loaded)
      if (other.type == src.type) {
        error = file.name + ": source '" + src.type + "' is already defined by another file";
        return false;
      }
    loaded.push_back(std::move(src));
  }
  std::sort(loaded.begin(), loaded.end(),
            [](const source_type& a, const source_type& b) { return a.type < b.type; });
  sources_ = std::move(loaded);
  error.clear();
  return true;
}

const std::vector<source_type>& catalog::sources() const {
  return sources_;
}

const source_type* catalog::find_source(std::string_view type) const {
  for (const auto& s : sources_)
    if (s.type == type)
      return &s;
  return nullptr;
}

const event_type* catalog::find_event(std::string_view source, std::string_view event) const {
  const source_type* s = find_source(source);
  if (s == nullptr)
    return nullptr;
  for (const auto& e : s->events)
    if (e.name == event)
      return &e;
  return nullptr;
}

std::string catalog::validate(std::string_view source, std::string_view event, int version,
                              simdjson::dom::element payload, int& used_version) const {
  used_version = 0;
  const source_type* src = find_source(source);
  if (src == nullptr)
    return "there is no event source '" + std::string{source}
           + "' (sources: " + join(sources_, [](const source_type& s) { return s.type; }) + ")";
  const event_type* ev = find_event(source, event);
  if (ev == nullptr)
    return src->type + " has no event '" + std::string{event}
           + "' (events: " + join(src->events, [](const event_type& e) { return e.name; }) + ")";
  const schema_version* schema = nullptr;
  if (version == 0) {
    schema = &ev->versions.back();
  } else {
    for (const auto& v : ev->versions)
      if (v.version == version)
        schema = &v;
  }
  if (schema == nullptr)
    return ev->name + " has no schema version " + std::to_string(version) + " (versions: "
           + join(ev->versions, [](const schema_version& v) { return std::to_string(v.version); })
           + ")";
  used_version = schema->version;

  object obj;
  if (payload.get_object().get(obj) != SUCCESS)
    return "payload must be a JSON object";
  for (const auto& field : schema->fields) {
    element value;
    bool present = obj.at_key(field.name).get(value) == SUCCESS && !value.is_null();
    if (!present) {
      if (field.required)
        return "payload." + field.name + " is required";
      continue;
    }
    if (!has_type(value, field.type))
      return "payload." + field.name + " must be " + std::string{with_article(field.type)};
  }
  return {};
}

} // namespace sluice::events
