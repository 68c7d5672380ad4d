#pragma once

#include <string>
#include <utility>

namespace sluice::storage {

/// The outcome of a storage operation, LevelDB style: `ok()` or a message a
/// person can act on. Storage never throws; every fallible call returns this.
class status {
public:
  /// Success.
  status() = default;

  /// A failure with a human-readable reason.
  static status error(std::string message) {
    status s;
    s.ok_ = false;
    s.message_ = std::move(message);
    return s;
  }

  bool ok() const { return ok_; }
  const std::string& message() const { return message_; }

private:
  bool ok_ = true;
  std::string message_;
};

} // namespace sluice::storage
