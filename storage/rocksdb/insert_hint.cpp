#include "storage/rocksdb/insert_hint.hpp"

#include <rocksdb/slice_transform.h>

#include "storage/rocksdb/message_codec.hpp"

namespace sluice::storage {

namespace {

class shard_prefix_transform : public rocksdb::SliceTransform {
public:
  const char* Name() const override { return "sluice.ShardPrefix.18.26"; }

  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return {key.data(), shard_prefix_bytes};
  }

  bool InDomain(const rocksdb::Slice& key) const override {
    return key.size() == message_key_bytes;
  }
};

} // namespace

std::shared_ptr<const rocksdb::SliceTransform> shard_insert_hint() {
  return std::make_shared<shard_prefix_transform>();
}

std::string range_begin_outside_hint(std::string_view begin) {
  std::string out{begin};
  if (out.size() != message_key_bytes)
    return out;
  // The predecessor among keys of this length: big-endian minus one.
  auto i = out.size();
  while (i > 0 && out[i - 1] == '\0')
    out[--i] = '\xff';
  if (i == 0) // all zero bytes: no message key is smaller
    return std::string(message_key_bytes - 1, '\0');
  out[i - 1] = static_cast<char>(static_cast<unsigned char>(out[i - 1]) - 1);
  out.push_back('\0');
  return out;
}

} // namespace sluice::storage
