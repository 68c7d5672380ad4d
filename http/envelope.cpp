#include "http/envelope.hpp"

#include "http/json_writer.hpp"

namespace sluice::http {

wire_error to_wire(errc e) {
  switch (e) {
    case errc::none:
      return {200, 0};
    case errc::unauthenticated:
      return {401, 10000};
    case errc::forbidden:
      return {403, 10000};
    case errc::invalid_request:
      return {400, 10026};
    case errc::malformed_json:
      return {400, 10208};
    case errc::not_found:
      return {404, 7003};
    case errc::method_not_allowed:
      return {405, 10405};
    case errc::queue_not_found:
      return {404, 11000};
    case errc::queue_name_taken:
      return {409, 11009};
    case errc::queue_limit:
      return {409, 11006};
    case errc::too_large:
      return {413, 10204};
    case errc::batch_too_large:
      return {413, 10205};
    case errc::too_many_messages:
      return {400, 10206};
    case errc::consumer_exists:
      return {409, 11010};
    case errc::consumer_not_found:
      return {404, 11011};
    case errc::subscription_not_found:
      return {404, 11013};
    case errc::script_not_found:
      return {404, 10007};
    case errc::script_in_use:
      return {409, 10064};
    case errc::queue_paused:
      return {409, 11012};
    case errc::too_many_requests:
      return {429, 10250};
    case errc::storage_failure:
      return {500, 10002};
    case errc::storage_full:
      return {507, 10002};
    case errc::overloaded:
    case errc::unavailable:
      return {503, 10250};
    case errc::timeout:
      return {504, 10003};
    case errc::redrive_running:
      return {409, 11014};
    case errc::redrive_not_found:
      return {404, 11015};
  }
  return {500, 10002};
}

namespace {

std::string envelope(bool success, const wire_error* err, std::string_view message,
                     std::string_view result_json, const page_info* info) {
  json_writer w;
  w.begin_object().key("success").value(success).key("errors").begin_array();
  if (err != nullptr)
    w.begin_object().key("code").value(err->code).key("message").value(message).end_object();
  w.end_array().key("messages").begin_array().end_array().key("result");
  if (result_json.empty())
    w.null();
  else
    w.raw(result_json);
  if (info != nullptr)
    w.key("result_info")
        .begin_object()
        .key("page")
        .value(info->page)
        .key("per_page")
        .value(info->per_page)
        .key("count")
        .value(info->count)
        .key("total_count")
        .value(info->total_count)
        .end_object();
  w.end_object();
  return w.take();
}

} // namespace

response ok(std::string_view result_json, int status) {
  response r;
  r.status = status;
  r.body = envelope(true, nullptr, {}, result_json, nullptr);
  return r;
}

response ok_list(std::string_view result_json, const page_info& info) {
  response r;
  r.body = envelope(true, nullptr, {}, result_json, &info);
  return r;
}

response fail(errc e, std::string_view message) {
  auto w = to_wire(e);
  response r;
  r.status = w.status;
  r.body = envelope(false, &w, message, {}, nullptr);
  // Only overload, a bound reached, a cluster without a reachable leader and
  // time-outs are worth retrying.
  bool retry = e == errc::overloaded || e == errc::unavailable || e == errc::timeout
               || e == errc::too_many_requests;
  r.headers.emplace_back("x-should-retry", retry ? "true" : "false");
  return r;
}

response fail_retry_after(std::string_view message, unsigned retry_after_s) {
  auto r = fail(errc::too_many_requests, message);
  r.headers.emplace_back("retry-after", std::to_string(retry_after_s));
  return r;
}

response fail(const caf::error& e) {
  return fail(error_code(e), error_message(e));
}

} // namespace sluice::http
