#pragma once

#include <string>
#include <utility>

#include "storage/result.hpp"

namespace sluice::storage {

/// The outcome of a storage operation, LevelDB style: `ok()` or a message a
/// person can act on. Storage never throws; every fallible call returns this.
class status {
public:
  /// Success.
  status() = default;

  /// A failure with a human-readable reason.
  static status error(std::string message, store_errc code = store_errc::io_error) {
    status s;
    s.ok_ = false;
    s.code_ = code;
    s.message_ = std::move(message);
    return s;
  }

  bool ok() const { return ok_; }
  const std::string& message() const { return message_; }
  store_errc code() const { return code_; }
  /// This failure as a `store_error` (only valid when `!ok()`).
  store_error as_error() const { return {code_, message_}; }

private:
  bool ok_ = true;
  store_errc code_ = store_errc::io_error;
  std::string message_;
};

} // namespace sluice::storage
