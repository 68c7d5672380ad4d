#include "cli/descriptors.hpp"

#include <algorithm>

#include <sys/resource.h>

namespace sluice::cli {

uint64_t raise_descriptor_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
    return 1024;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
      lim = raised;
  }
  return lim.rlim_cur == RLIM_INFINITY ? 1'048'576 : static_cast<uint64_t>(lim.rlim_cur);
}

unsigned default_max_connections(uint64_t nofile) {
  uint64_t reserve = std::min<uint64_t>(nofile / 2, 512);
  uint64_t left = nofile - reserve;
  return static_cast<unsigned>(std::clamp<uint64_t>(left, 16, 1'000'000));
}

} // namespace sluice::cli
