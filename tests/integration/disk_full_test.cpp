// A full disk is an answer, not an abort (docs/operations.md, "A full disk"): on a
// small tmpfs, sends fill the disk up to --min-free-bytes and are then refused with
// 507 and the envelope, and resume once the guard has reclaimed space; filled to the
// last byte by something else, the server still starts, refuses sends, serves pulls
// and acks, and resumes sends once space is free; nothing acknowledged is lost.
#include <filesystem>
#include <string>

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "api.hpp"
#include "child_process.hpp"
#include "tests/metrics_text.hpp"
#include "tests/temp_dir.hpp"
#include "wait.hpp"

using namespace sluice::test;

namespace {

/// A tmpfs of `size` mounted on a fresh directory while it lives (root only).
class small_disk {
public:
  explicit small_disk(const std::string& size) {
    if (geteuid() != 0)
      return;
    mounted_ =
        run_program({"/bin/mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir_.path()})
            .status
        == 0;
  }
  ~small_disk() {
    if (mounted_)
      run_program({"/bin/umount", "-l", dir_.path()});
  }
  small_disk(const small_disk&) = delete;
  small_disk& operator=(const small_disk&) = delete;

  bool mounted() const { return mounted_; }
  std::string path() const { return dir_.path(); }

private:
  sluice::test::temp_dir dir_;
  bool mounted_ = false;
};

/// A batch of 100 messages of 2,000 bytes each.
std::string big_batch() {
  std::string body(2000, 'x');
  std::string out = R"({"messages":[)";
  for (int i = 0; i < 100; ++i)
    out += std::string{i ? "," : ""} + R"({"body":")" + body + R"(","content_type":"text"})";
  return out + "]}";
}

/// Writes `path` until the disk has no byte left.
void fill_up(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  std::string chunk(1 << 20, 'f');
  for (size_t size = chunk.size(); size >= 512; size /= 2)
    while (::write(fd, chunk.data(), size) == static_cast<ssize_t>(size)) {
    }
  ::close(fd);
  struct statvfs fs {};
  REQUIRE(statvfs(path.c_str(), &fs) == 0);
  REQUIRE(fs.f_bavail * fs.f_frsize < 4096);
}

double full_gauge(api& a) {
  return sample(a.call("GET", "//metrics")->body, "sluice_storage_full");
}

} // namespace

TEST_CASE("a full disk refuses sends with 507, keeps acks working and recovers by itself") {
  small_disk disk{"24m"};
  if (!disk.mounted()) {
    WARN("skipped: mounting a tmpfs needs root (CAP_SYS_ADMIN)");
    return;
  }
  auto data = disk.path() + "/data";
  auto batch = big_batch();
  std::string qid;
  int accepted = 0;
  {
    server_process srv{"integration-token", {"--data-dir", data, "--min-free-bytes", "8388608"}};
    api a{srv};
    qid = a.create_queue("fill");
    std::unique_ptr<reply> refused;
    for (int i = 0; i < 200 && !refused; ++i) { // 40 MB would overfill the 24 MiB disk
      auto r = a.call("POST", "/queues/" + qid + "/messages/batch", batch);
      if (r->status == 200)
        ++accepted;
      else
        refused = std::move(r);
    }
    REQUIRE(refused);
    CHECK(refused->status == 507);
    CHECK(refused->error_message().find("less than --min-free-bytes") != std::string::npos);
    CHECK(accepted >= 20); // 4 MB and more went in before the reserve
    CHECK(eventually(
        [&] { return srv.log().find("new messages are refused (507)") != std::string::npos; }, 10));
    // While low the guard flushes: the write-ahead log's space comes back (these
    // bodies compress well) and sends resume by themselves.
    CHECK(eventually(
        [&] {
          return a.call("POST", "/queues/" + qid + "/messages/batch", batch)->status == 200
                 && ++accepted > 0;
        },
        30));
    CHECK(full_gauge(a) == 0);
    CHECK(srv.log().find("free again: new messages are accepted") != std::string::npos);
    REQUIRE(srv.terminate() == 0);
  }

  // Something else fills the disk to the last byte while the server is down: it
  // still starts (it gives up its reserve file), degraded: sends are refused, pulls
  // and acks go on, nothing acknowledged is lost.
  auto filler = disk.path() + "/filler";
  fill_up(filler);
  server_process srv{"integration-token", {"--data-dir", data, "--min-free-bytes", "8388608"}};
  api b{srv};
  CHECK(srv.log().find("released the reserve file") != std::string::npos);
  CHECK(srv.log().find("new messages are refused (507)") != std::string::npos);
  CHECK(full_gauge(b) == 1);
  CHECK(b.call("POST", "/queues/" + qid + "/messages/batch", batch)->status == 507);
  int64_t acked = 0;
  while (acked < accepted * 100) {
    auto pulled = b.call("POST", "/queues/" + qid + "/messages/pull",
                         R"({"batch_size":100,"visibility_timeout_ms":60000})");
    REQUIRE(pulled->status == 200);
    std::string acks;
    for (auto m : pulled->result()["messages"].get_array()) {
      acks += std::string{acks.empty() ? "" : ","} + R"({"lease_id":")"
              + std::string{m["lease_id"].get_string().value()} + "\"}";
      ++acked;
    }
    REQUIRE(!acks.empty()); // every acknowledged send is there
    REQUIRE(b.call("POST", "/queues/" + qid + "/messages/ack", R"({"acks":[)" + acks + "]}")->status
            == 200);
  }
  CHECK(acked == accepted * 100);
  CHECK(b.call("GET", "/queues/" + qid + "/metrics")->result()["backlog_count"].get_int64().value()
        == 0);

  // Once space is free again, sends resume by themselves.
  std::filesystem::remove(filler);
  CHECK(eventually(
      [&] { return b.call("POST", "/queues/" + qid + "/messages/batch", batch)->status == 200; },
      30));
  CHECK(full_gauge(b) == 0);
}
