#pragma once

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

namespace sluice::test {

/// Polls `done` every 20 ms for up to `seconds`; true once it held. For what the
/// server does after its answer (push delivery, an actor ending).
template <class Pred>
bool eventually(Pred done, int seconds = 60) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (done())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

/// The whole content of the file at `path` ("" if unreadable).
inline std::string read_file(const std::string& path) {
  std::ifstream in{path};
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace sluice::test
