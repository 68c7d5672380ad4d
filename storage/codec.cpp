#include "storage/codec.hpp"

namespace sluice::storage {

namespace {

void put_be(std::string& out, uint64_t x, size_t n) {
  char bytes[8];
  for (size_t i = 0; i < n; ++i)
    bytes[i] = static_cast<char>((x >> (8 * (n - 1 - i))) & 0xFF);
  out.append(bytes, n); // one append: no capacity check per byte
}

} // namespace

int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

encoder& encoder::u8(uint8_t x) {
  out_.push_back(static_cast<char>(x));
  return *this;
}

encoder& encoder::u16(uint16_t x) {
  put_be(out_, x, 2);
  return *this;
}

encoder& encoder::u32(uint32_t x) {
  put_be(out_, x, 4);
  return *this;
}

encoder& encoder::u64(uint64_t x) {
  put_be(out_, x, 8);
  return *this;
}

encoder& encoder::str(std::string_view x) {
  u32(static_cast<uint32_t>(x.size()));
  out_.append(x.data(), x.size());
  return *this;
}

encoder& encoder::raw(std::string_view x) {
  out_.append(x.data(), x.size());
  return *this;
}

uint64_t decoder::fixed(size_t n) {
  if (!ok_ || in_.size() < n) {
    ok_ = false;
    return 0;
  }
  uint64_t x = 0;
  for (size_t i = 0; i < n; ++i)
    x = (x << 8) | static_cast<uint8_t>(in_[i]);
  in_.remove_prefix(n);
  return x;
}

uint8_t decoder::u8() {
  return static_cast<uint8_t>(fixed(1));
}

uint16_t decoder::u16() {
  return static_cast<uint16_t>(fixed(2));
}

uint32_t decoder::u32() {
  return static_cast<uint32_t>(fixed(4));
}

uint64_t decoder::u64() {
  return fixed(8);
}

std::string decoder::str() {
  auto n = u32();
  if (!ok_ || in_.size() < n) {
    ok_ = false;
    return {};
  }
  std::string x{in_.substr(0, n)};
  in_.remove_prefix(n);
  return x;
}

} // namespace sluice::storage
