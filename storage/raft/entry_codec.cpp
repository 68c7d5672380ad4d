#include "storage/raft/entry_codec.hpp"

#include <cstring>

namespace sluice::storage::raft {
namespace {

constexpr uint8_t entry_format = 1;
constexpr uint8_t snapshot_format = 1;
constexpr size_t entry_header = 1 + 4;
constexpr size_t snapshot_header = 1 + 8;

void put_be(char* out, uint64_t x, size_t width) {
  for (size_t i = 0; i < width; ++i)
    out[i] = static_cast<char>((x >> (8 * (width - 1 - i))) & 0xff);
}

uint64_t get_be(const char* in, size_t width) {
  uint64_t x = 0;
  for (size_t i = 0; i < width; ++i)
    x = (x << 8) | static_cast<uint8_t>(in[i]);
  return x;
}

} // namespace

size_t entry_size(size_t count, size_t bytes) {
  size_t unpadded = entry_header + 4 * count + bytes;
  return (unpadded + 7) / 8 * 8;
}

entry_writer::entry_writer(size_t count, size_t bytes) {
  buf_.len = entry_size(count, bytes);
  buf_.base = raft_malloc(buf_.len);
  if (buf_.base == nullptr)
    return;
  auto* out = static_cast<char*>(buf_.base);
  out[0] = static_cast<char>(entry_format);
  put_be(out + 1, count, 4);
  at_ = entry_header;
  // The padding (raft's disk format needs entries of whole 8-byte words).
  std::memset(out + buf_.len - 8, 0, 8);
}

entry_writer::~entry_writer() {
  if (buf_.base != nullptr)
    raft_free(buf_.base);
}

void entry_writer::add(std::string_view command) {
  auto* out = static_cast<char*>(buf_.base);
  put_be(out + at_, command.size(), 4);
  std::memcpy(out + at_ + 4, command.data(), command.size());
  at_ += 4 + command.size();
}

raft_buffer entry_writer::release() {
  raft_buffer out = buf_;
  buf_ = raft_buffer{};
  return out;
}

bool decode_entry(std::string_view data, std::vector<std::string_view>& commands) {
  commands.clear();
  if (data.size() < entry_header || static_cast<uint8_t>(data[0]) != entry_format)
    return false;
  uint64_t count = get_be(data.data() + 1, 4);
  // Every command takes at least its 4-byte length: a count beyond that is corrupt.
  if (count > (data.size() - entry_header) / 4)
    return false;
  commands.reserve(count);
  size_t at = entry_header;
  for (uint64_t i = 0; i < count; ++i) {
    if (data.size() - at < 4)
      return false;
    size_t len = get_be(data.data() + at, 4);
    at += 4;
    if (data.size() - at < len)
      return false;
    commands.push_back(data.substr(at, len));
    at += len;
  }
  // Up to 7 zero bytes pad the entry to whole 8-byte words.
  if (data.size() - at >= 8)
    return false;
  for (; at < data.size(); ++at)
    if (data[at] != 0)
      return false;
  return true;
}

raft_buffer encode_snapshot(uint64_t index, std::string_view state) {
  raft_buffer buf{};
  buf.len = snapshot_header + state.size();
  buf.base = raft_malloc(buf.len);
  if (buf.base == nullptr)
    return raft_buffer{};
  auto* out = static_cast<char*>(buf.base);
  out[0] = static_cast<char>(snapshot_format);
  put_be(out + 1, index, 8);
  if (!state.empty())
    std::memcpy(out + snapshot_header, state.data(), state.size());
  return buf;
}

bool decode_snapshot(std::string_view data, uint64_t& index, std::string_view& state) {
  if (data.size() < snapshot_header || static_cast<uint8_t>(data[0]) != snapshot_format)
    return false;
  index = get_be(data.data() + 1, 8);
  state = data.substr(snapshot_header);
  return true;
}

} // namespace sluice::storage::raft
