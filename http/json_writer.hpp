#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::http {

/// Builds compact JSON text. The caller is responsible for well-formed nesting
/// (keys only inside objects, one value per key); commas are inserted here.
class json_writer {
public:
  json_writer& begin_object();
  json_writer& end_object();
  json_writer& begin_array();
  json_writer& end_array();
  json_writer& key(std::string_view k);
  json_writer& value(std::string_view s);
  json_writer& value(const char* s) { return value(std::string_view{s}); }
  json_writer& value(int64_t x);
  json_writer& value(uint64_t x);
  json_writer& value(int x) { return value(static_cast<int64_t>(x)); }
  json_writer& value(uint32_t x) { return value(static_cast<uint64_t>(x)); }
  json_writer& value(bool b);
  json_writer& null();
  /// Inserts already-serialized JSON as one value.
  json_writer& raw(std::string_view json);

  std::string take() { return std::move(out_); }

private:
  void separate();

  std::string out_;
  bool need_comma_ = false;
};

} // namespace sluice::http
