#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <variant>

namespace sluice::storage {

/// Why a store operation failed. Stable: actors map each code to an HTTP
/// status (a full disk is 507, every other failure 500), and the metric
/// `sluice_storage_errors_total` counts by operation.
enum class store_errc : uint8_t {
  io_error = 1, ///< the device or the storage engine refused the operation
  no_space,     ///< the disk is full (ENOSPC); freeing space lets writes resume
  corrupt,      ///< a stored record cannot be decoded
  closed,       ///< the store is shutting down
  /// Cluster mode: this node does not lead its raft group, so it took no
  /// write; `store_error::leader_*` names the leader when known (503).
  not_leader,
  /// Cluster mode: leadership moved while the write was in the log; it may
  /// or may not be applied by the new leader (503, the client retries).
  unknown_outcome,
};

/// A short name of `code` ("io_error", "no_space", …) for logs.
const char* to_string(store_errc code);

/// A failed store operation: a code and a message a person can act on.
struct store_error {
  store_errc code = store_errc::io_error;
  std::string message;
  /// With `not_leader` (and whenever known in cluster mode): the raft id and
  /// raft address of the node that leads; 0 and "" when unknown.
  uint64_t leader_id = 0;
  std::string leader_address = {};
};

/// A value or the `store_error` that prevented it. Storage never throws;
/// every fallible operation returns (or calls back with) one of these.
template <class T>
class expected {
public:
  expected(T value) : v_(std::move(value)) {}
  expected(store_error e) : v_(std::move(e)) {}

  explicit operator bool() const { return v_.index() == 0; }
  T& operator*() { return std::get<0>(v_); }
  const T& operator*() const { return std::get<0>(v_); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  /// Only valid when `!*this`.
  const store_error& error() const { return std::get<1>(v_); }

private:
  std::variant<T, store_error> v_;
};

/// The result of a write command: the position the backend applied it at.
/// Commands are applied in the order they were submitted; the index is one
/// counter per backend (meta and message stores share it), rising by one per
/// applied command — a failed command takes none. A replicated store reports
/// the log index of the entry that carried the command.
struct applied {
  uint64_t index = 0;
};

/// Called once a write is durable (or failed). Runs on the store's own
/// thread (the group-commit writer) or, in the memory store, on the caller's
/// thread before the submitting call returns: it must be short and must not
/// block — typically it sends an actor message.
using write_callback = std::function<void(expected<applied>)>;

} // namespace sluice::storage
