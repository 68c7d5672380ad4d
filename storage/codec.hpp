#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::storage {

/// The value of hex digit `c` (either case), or -1 if it is not one.
int hex_digit(char c);

/// Appends fixed-width big-endian integers and length-prefixed strings to a
/// byte string. Big-endian so that encoded integers in keys sort numerically.
class encoder {
public:
  encoder& u8(uint8_t x);
  encoder& u16(uint16_t x);
  encoder& u32(uint32_t x);
  encoder& u64(uint64_t x);
  encoder& i64(int64_t x) { return u64(static_cast<uint64_t>(x)); }
  /// A u32 length followed by the bytes.
  encoder& str(std::string_view x);
  /// The bytes only (for the last field of a key).
  encoder& raw(std::string_view x);

  /// Makes room for `n` bytes in all (no reallocation while they are written).
  encoder& reserve(size_t n) {
    out_.reserve(n);
    return *this;
  }

  std::string take() { return std::move(out_); }

private:
  std::string out_;
};

/// Reads what `encoder` wrote. Every read checks bounds: once a read fails,
/// `ok()` is false and later reads return zero values. Callers check `ok()`
/// once at the end.
class decoder {
public:
  explicit decoder(std::string_view in) : in_(in) {}

  uint8_t u8();
  uint16_t u16();
  uint32_t u32();
  uint64_t u64();
  int64_t i64() { return static_cast<int64_t>(u64()); }
  std::string str();

  bool ok() const { return ok_; }
  bool at_end() const { return in_.empty(); }
  /// The bytes not read yet (e.g. a raw last field).
  std::string_view rest() const { return in_; }

private:
  uint64_t fixed(size_t n);

  std::string_view in_;
  bool ok_ = true;
};

} // namespace sluice::storage
