#include "storage/message_records.hpp"

namespace sluice::storage {

const char* content_type_name(content_type type) {
  switch (type) {
    case content_type::text:
      return "text";
    case content_type::bytes:
      return "bytes";
    default:
      return "json";
  }
}

} // namespace sluice::storage
