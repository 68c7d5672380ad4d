#include "storage/result.hpp"

namespace sluice::storage {

const char* to_string(store_errc code) {
  switch (code) {
    case store_errc::io_error:
      return "io_error";
    case store_errc::no_space:
      return "no_space";
    case store_errc::corrupt:
      return "corrupt";
    case store_errc::closed:
      return "closed";
    case store_errc::not_leader:
      return "not_leader";
    case store_errc::unknown_outcome:
      return "unknown_outcome";
  }
  return "io_error";
}

} // namespace sluice::storage
