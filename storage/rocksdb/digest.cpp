#include "storage/rocksdb/digest.hpp"

#include <algorithm>
#include <memory>

#include <openssl/evp.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include "storage/codec.hpp"
#include "storage/rocksdb/writer.hpp"

namespace sluice::storage {

namespace {

/// An incremental SHA-256 whose inputs are length-prefixed, so that ("ab", "c")
/// and ("a", "bc") hash differently.
class sha256 {
public:
  sha256() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
  }

  void field(std::string_view bytes) {
    unsigned char len[8];
    uint64_t n = bytes.size();
    for (int i = 7; i >= 0; --i, n >>= 8)
      len[i] = static_cast<unsigned char>(n & 0xFF);
    EVP_DigestUpdate(ctx_.get(), len, sizeof len);
    EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size());
  }

  std::string hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_.get(), md, &n);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < n; ++i) {
      out += digits[md[i] >> 4];
      out += digits[md[i] & 15];
    }
    return out;
  }

private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

store_error io_error(const std::string& what, const rocksdb::Status& s) {
  return store_error{store_errc::io_error, what + ": " + s.ToString()};
}

/// The read-only database; its family handles are released before it closes.
struct read_only_db {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  ~read_only_db() {
    if (db)
      for (auto* h : handles)
        db->DestroyColumnFamilyHandle(h);
  }
};

} // namespace

expected<store_digest> digest_store(const std::string& dir) {
  std::vector<std::string> names;
  auto s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names);
  if (!s.ok())
    return io_error("cannot open the store in " + dir, s);
  // Every replica creates the same families, but not necessarily in the same order.
  std::sort(names.begin(), names.end());
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const auto& name : names)
    cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
  read_only_db ro;
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, cfs, &ro.handles, &raw);
  if (!s.ok())
    return io_error("cannot open the store in " + dir + " read-only", s);
  ro.db.reset(raw);

  store_digest out;
  sha256 whole;
  for (size_t i = 0; i < names.size(); ++i) {
    family_digest fam{names[i], 0, {}};
    sha256 part;
    whole.field(names[i]);
    std::unique_ptr<rocksdb::Iterator> it(
        ro.db->NewIterator(rocksdb::ReadOptions(), ro.handles[i]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string_view k{it->key().data(), it->key().size()};
      std::string_view v{it->value().data(), it->value().size()};
      for (auto* h : {&whole, &part}) {
        h->field(k);
        h->field(v);
      }
      ++fam.keys;
      if (names[i] == "meta" && k == applied_index_key) {
        decoder in{v};
        out.applied_index = in.u64();
        if (!in.ok() || !in.at_end())
          return store_error{store_errc::corrupt,
                             "the applied index in " + dir + " is not 8 bytes"};
      }
    }
    if (!it->status().ok())
      return io_error("cannot read column family " + names[i] + " in " + dir, it->status());
    fam.sha256 = part.hex();
    out.families.push_back(std::move(fam));
  }
  out.sha256 = whole.hex();
  return out;
}

} // namespace sluice::storage
