#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/space_guard.hpp"

// The space guard (docs/operations.md, "A full disk") driven by a scripted free-space
// reading: when it turns low and back, what it tells, and when it reclaims.

using namespace sluice::storage;

namespace {

constexpr uint64_t mib = 1ull << 20;

struct scripted {
  std::optional<uint64_t> free = 100 * mib;
  std::vector<std::pair<bool, bool>> told; ///< (low, changed) per reading
  int reclaims = 0;

  space_guard make(uint64_t min_free) {
    return space_guard{
        min_free, [this] { return free; },
        [this](bool low, uint64_t, bool changed) { told.emplace_back(low, changed); },
        [this] { ++reclaims; }};
  }
};

} // namespace

TEST_CASE("space guard: low below the minimum, back above it plus a tenth") {
  scripted disk;
  auto guard = disk.make(10 * mib);
  guard.check();
  CHECK_FALSE(guard.low());
  CHECK(guard.free_bytes() == 100 * mib);

  disk.free = 9 * mib;
  guard.check();
  CHECK(guard.low());
  CHECK(disk.reclaims == 1); // while low it makes room
  auto refusal = guard.refusal();
  CHECK(refusal.find("9.0 MiB free") != std::string::npos);
  CHECK(refusal.find("--min-free-bytes (10.0 MiB)") != std::string::npos);
  CHECK(refusal.find("Ack or purge messages") != std::string::npos);

  disk.free = 10 * mib + mib / 2; // above the minimum, below the minimum plus a tenth
  guard.check();
  CHECK(guard.low());
  CHECK(disk.reclaims == 1); // at most every 2 s

  disk.free = 11 * mib + 1;
  guard.check();
  CHECK_FALSE(guard.low());
  REQUIRE(disk.told.size() == 4);
  CHECK(disk.told[0] == std::pair<bool, bool>{false, false});
  CHECK(disk.told[1] == std::pair<bool, bool>{true, true});
  CHECK(disk.told[2] == std::pair<bool, bool>{true, false});
  CHECK(disk.told[3] == std::pair<bool, bool>{false, true});
}

TEST_CASE("space guard: writes between readings count, so a burst cannot fill the disk") {
  scripted disk;
  auto guard = disk.make(10 * mib);
  disk.free = 12 * mib;
  guard.check();
  guard.will_write(mib);
  CHECK_FALSE(guard.low());
  guard.will_write(2 * mib); // the estimate is 9 MiB now
  CHECK(guard.low());
  disk.free = 9 * mib; // the reading agrees: the change is told once, then
  guard.check();
  CHECK(disk.told.back() == std::pair<bool, bool>{true, true});
}

TEST_CASE("space guard: an unreadable filesystem keeps the last state") {
  scripted disk;
  auto guard = disk.make(10 * mib);
  disk.free = 5 * mib;
  guard.check();
  CHECK(guard.low());
  disk.free = std::nullopt;
  guard.check();
  CHECK(guard.low());
  CHECK(space_guard::filesystem_of("/")().has_value());
  CHECK_FALSE(space_guard::filesystem_of("/no/such/dir")().has_value());
  CHECK(human_bytes(812 * 1024) == "812 KiB");
  CHECK(human_bytes(12ull << 30) == "12.0 GiB");
}
