#include "storage/reserve_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sluice::storage {

bool reserve_file::present() const {
  struct stat st {};
  return ::stat(path_.c_str(), &st) == 0;
}

bool reserve_file::release() {
  return ::unlink(path_.c_str()) == 0;
}

bool reserve_file::restore() {
  if (bytes_ == 0 || present())
    return true;
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return false;
  bool ok = ::posix_fallocate(fd, 0, static_cast<off_t>(bytes_)) == 0 && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok)
    ::unlink(path_.c_str());
  return ok;
}

} // namespace sluice::storage
