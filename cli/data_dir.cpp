#include "cli/data_dir.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <system_error>

#include <spdlog/spdlog.h>

namespace sluice {

namespace fs = std::filesystem;

std::string prepare_data_dir(const std::string& path) {
  ::umask(077);
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    fs::create_directories(path, ec);
    if (ec)
      return "cannot create the data directory " + path + ": " + ec.message();
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::replace, ec);
    return ec ? "cannot make the data directory " + path + " private: " + ec.message() : "";
  }
  auto mode = fs::status(path, ec).permissions();
  if (ec)
    return "cannot read the data directory " + path + ": " + ec.message();
  auto open_to_others = fs::perms::group_all | fs::perms::others_all;
  if ((mode & open_to_others) != fs::perms::none)
    spdlog::warn("data directory {} has mode {:o}: others on this machine can read token "
                 "hashes, script secrets and the lease-signing secret; run chmod 700 {}",
                 path, static_cast<unsigned>(mode), path);
  return "";
}

} // namespace sluice
