#include <catch2/catch.hpp>

#include <deque>
#include <string>

#include "storage/raft/entry_packer.hpp"

using namespace sluice::storage::raft;

namespace {

submission of(std::initializer_list<std::string> commands) {
  return {commands, nullptr};
}

} // namespace

TEST_CASE("raft packer: everything pending goes into one entry when it fits") {
  std::deque<submission> pending{of({"a"}), of({"b", "c"}), of({"d"})};
  auto entry = take_entry(pending, {10, 1000});
  REQUIRE(entry.size() == 3);
  CHECK(entry[0].commands[0] == "a");
  CHECK(entry[1].commands[1] == "c");
  CHECK(entry[2].commands[0] == "d");
  CHECK(pending.empty());
  CHECK(take_entry(pending, {10, 1000}).empty());
}

TEST_CASE("raft packer: the command limit cuts between whole submissions, in order") {
  std::deque<submission> pending{of({"a", "b"}), of({"c", "d"}), of({"e"})};
  auto first = take_entry(pending, {3, 1000});
  REQUIRE(first.size() == 1);
  CHECK(first[0].commands.size() == 2);
  auto second = take_entry(pending, {3, 1000});
  REQUIRE(second.size() == 2);
  CHECK(second[0].commands[0] == "c");
  CHECK(second[1].commands[0] == "e");
}

TEST_CASE("raft packer: the byte limit applies, and an oversized submission goes alone") {
  std::deque<submission> pending{of({std::string(50, 'x')}), of({std::string(500, 'y')}),
                                 of({std::string(10, 'z')})};
  entry_limits limits{100, 100};
  CHECK(take_entry(pending, limits).size() == 1);
  auto big = take_entry(pending, limits);
  REQUIRE(big.size() == 1);
  CHECK(big[0].bytes() == 500);
  CHECK(take_entry(pending, limits).size() == 1);
  CHECK(pending.empty());
}
