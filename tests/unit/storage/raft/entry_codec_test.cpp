#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "storage/raft/entry_codec.hpp"

using namespace sluice::storage::raft;

namespace {

std::string encode(const std::vector<std::string>& commands) {
  size_t bytes = 0;
  for (const auto& c : commands)
    bytes += c.size();
  entry_writer w(commands.size(), bytes);
  REQUIRE(w.ok());
  for (const auto& c : commands)
    w.add(c);
  raft_buffer buf = w.release();
  std::string out(static_cast<const char*>(buf.base), buf.len);
  raft_free(buf.base);
  return out;
}

} // namespace

TEST_CASE("raft entry codec: commands come back in order, empty ones included") {
  std::vector<std::string> in{"first", "", std::string(1000, 'x'), std::string("\0a\0", 3)};
  std::string bytes = encode(in);
  CHECK(bytes.size() == entry_size(in.size(), 5 + 1000 + 3));
  CHECK(bytes.size() % 8 == 0);
  std::vector<std::string_view> out;
  REQUIRE(decode_entry(bytes, out));
  REQUIRE(out.size() == in.size());
  for (size_t i = 0; i < in.size(); ++i)
    CHECK(out[i] == in[i]);
}

TEST_CASE("raft entry codec: truncated, padded or foreign bytes are refused") {
  std::string bytes = encode({"abc", "defg"});
  std::vector<std::string_view> out;
  CHECK_FALSE(decode_entry(bytes.substr(0, 12), out));
  CHECK_FALSE(decode_entry(bytes + "z", out));
  CHECK_FALSE(decode_entry(bytes + std::string(8, '\0'), out));
  std::string dirty_padding = bytes;
  dirty_padding.back() = 'p';
  CHECK_FALSE(decode_entry(dirty_padding, out));
  CHECK_FALSE(decode_entry("", out));
  std::string other_format = bytes;
  other_format[0] = 9;
  CHECK_FALSE(decode_entry(other_format, out));
  std::string huge_count = bytes;
  huge_count[1] = '\x7f';
  CHECK_FALSE(decode_entry(huge_count, out));
}

TEST_CASE("raft entry codec: every entry is whole 8-byte words, as raft's disk format needs") {
  for (size_t len = 0; len < 20; ++len) {
    std::string bytes = encode({std::string(len, 'a'), "b"});
    CHECK(bytes.size() % 8 == 0);
    std::vector<std::string_view> out;
    REQUIRE(decode_entry(bytes, out));
    CHECK(out.size() == 2);
    CHECK(out[0].size() == len);
  }
}

TEST_CASE("raft snapshot codec: the index and the state round-trip") {
  raft_buffer buf = encode_snapshot(123456789012345ULL, "state bytes");
  REQUIRE(buf.base != nullptr);
  uint64_t index = 0;
  std::string_view state;
  REQUIRE(decode_snapshot({static_cast<const char*>(buf.base), buf.len}, index, state));
  CHECK(index == 123456789012345ULL);
  CHECK(state == "state bytes");
  CHECK_FALSE(decode_snapshot({static_cast<const char*>(buf.base), 4}, index, state));
  raft_free(buf.base);
}
