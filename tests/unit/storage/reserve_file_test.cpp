#include <catch2/catch.hpp>

#include <filesystem>

#include "storage/reserve_file.hpp"
#include "tests/temp_dir.hpp"

// The reserve file of a data directory (docs/operations.md, "A full disk").

using sluice::storage::reserve_file;

TEST_CASE("reserve file: made with its blocks allocated, released, made again") {
  sluice::test::temp_dir dir;
  reserve_file reserve{dir.path() + "/reserve", 1 << 20};
  CHECK_FALSE(reserve.present());
  CHECK_FALSE(reserve.release()); // nothing to release
  REQUIRE(reserve.restore());
  CHECK(reserve.present());
  CHECK(std::filesystem::file_size(reserve.path()) == (1u << 20));
  CHECK(reserve.restore()); // already there
  CHECK(reserve.release());
  CHECK_FALSE(reserve.present());
  reserve_file none{dir.path() + "/none", 0};
  CHECK(none.restore());
  CHECK_FALSE(none.present());
}

TEST_CASE("reserve file: none is made where its directory is missing") {
  reserve_file nowhere{"/no/such/dir/reserve", 1 << 20};
  CHECK_FALSE(nowhere.restore());
  CHECK_FALSE(nowhere.present());
}
