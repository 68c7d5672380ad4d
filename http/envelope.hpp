#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <caf/error.hpp>

#include "actors/errc.hpp"
#include "http/message.hpp"

namespace sluice::http {

/// Paging of a list result (`result_info` in the v4 envelope).
struct page_info {
  uint64_t page = 1;
  uint64_t per_page = 0;
  uint64_t count = 0;
  uint64_t total_count = 0;
};

/// How an `errc` appears on the wire: HTTP status and the stable
/// Cloudflare-style numeric code. One table, in envelope.cpp.
struct wire_error {
  int status;
  int code;
};

wire_error to_wire(errc e);

/// `{"success":true,"errors":[],"messages":[],"result":<result_json>}`.
response ok(std::string_view result_json, int status = 200);

/// As `ok`, plus `result_info` for lists.
response ok_list(std::string_view result_json, const page_info& info);

/// The error envelope for `e` with `message` (a sentence a person can act
/// on). Answers that retrying cannot fix carry `x-should-retry: false`, so the
/// SDK does not retry them.
response fail(errc e, std::string_view message);

/// A 429 (`too_many_requests`) with `message` that also asks the client to
/// wait `retry_after_s` seconds (`Retry-After`) before retrying.
response fail_retry_after(std::string_view message, unsigned retry_after_s);

/// The error envelope for an actor's reply error.
response fail(const caf::error& e);

} // namespace sluice::http
