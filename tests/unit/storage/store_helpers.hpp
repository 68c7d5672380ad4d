#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/message_store.hpp"
#include "storage/meta_store.hpp"

/// Helpers for tests of stores that answer inline (memory, RocksDB
/// `inline_io`, and a faulty backend around either): each runs one command
/// and requires its callback to have run exactly once before the call
/// returned.

namespace sluice::test {

/// Two valid queue ids (32 hex chars).
inline const std::string queue_a = "0123456789abcdef0123456789abcdef";
inline const std::string queue_b = "fedcba9876543210fedcba9876543210";

/// Runs `submit(callback)` and returns what the callback got.
template <class Submit>
storage::expected<storage::applied> write_now(Submit submit) {
  int calls = 0;
  std::optional<storage::expected<storage::applied>> out;
  submit([&](storage::expected<storage::applied> r) {
    ++calls;
    out.emplace(std::move(r));
  });
  REQUIRE(calls == 1);
  return std::move(*out);
}

/// Runs `submit(callback)` for a read and returns what the callback got.
template <class T, class Submit>
storage::expected<T> read_now(Submit submit) {
  int calls = 0;
  std::optional<storage::expected<T>> out;
  submit([&](storage::expected<T> r) {
    ++calls;
    out.emplace(std::move(r));
  });
  REQUIRE(calls == 1);
  return std::move(*out);
}

/// A message `seq` with body `body`, sent at 1000 + seq ms.
inline storage::new_message msg(uint64_t seq, std::string body, int64_t visible_at_ms = 0,
                                storage::content_type type = storage::content_type::json) {
  storage::new_message m;
  m.seq = seq;
  m.message.timestamp_ms = 1000 + static_cast<int64_t>(seq);
  m.message.type = type;
  m.message.body = std::move(body);
  m.visible_at_ms = visible_at_ms;
  return m;
}

inline storage::expected<storage::applied> append(storage::message_store& s,
                                                  std::vector<storage::new_message> msgs) {
  return write_now([&](storage::write_callback cb) {
    s.append(storage::append_messages{std::move(msgs)}, std::move(cb));
  });
}

inline storage::expected<storage::applied> lease(storage::message_store& s,
                                                 std::vector<storage::state_change> leases) {
  return write_now([&](storage::write_callback cb) {
    s.lease(storage::lease_messages{std::move(leases)}, std::move(cb));
  });
}

inline storage::expected<storage::applied> settle(storage::message_store& s,
                                                  storage::settle_messages cmd) {
  return write_now([&](storage::write_callback cb) { s.settle(std::move(cmd), std::move(cb)); });
}

inline storage::expected<storage::applied> remove(storage::message_store& s,
                                                  std::vector<uint64_t> seqs) {
  return write_now([&](storage::write_callback cb) {
    s.remove(storage::delete_messages{std::move(seqs)}, std::move(cb));
  });
}

inline storage::expected<storage::applied> expire(storage::message_store& s,
                                                  std::vector<uint64_t> seqs) {
  return write_now([&](storage::write_callback cb) {
    s.expire(storage::expire_messages{std::move(seqs)}, std::move(cb));
  });
}

inline storage::expected<storage::applied> purge(storage::message_store& s,
                                                 storage::purge_messages cmd) {
  return write_now([&](storage::write_callback cb) { s.purge(std::move(cmd), std::move(cb)); });
}

inline storage::expected<storage::applied> apply(storage::meta_store& s,
                                                 storage::meta_change change) {
  return write_now([&](storage::write_callback cb) { s.apply(std::move(change), std::move(cb)); });
}

inline storage::expected<storage::shard_recovery> recover(storage::message_store& s,
                                                          size_t window) {
  return read_now<storage::shard_recovery>([&](storage::read_callback<storage::shard_recovery> cb) {
    s.recover(storage::recover_shard{window}, std::move(cb));
  });
}

inline storage::expected<std::vector<storage::recovered_message>>
page(storage::message_store& s, uint64_t from, uint64_t below, size_t limit) {
  return read_now<std::vector<storage::recovered_message>>(
      [&](storage::read_callback<std::vector<storage::recovered_message>> cb) {
        s.page(storage::page_messages{from, below, limit}, std::move(cb));
      });
}

/// The sequence numbers of `msgs`, in order.
inline std::vector<uint64_t> seqs_of(const std::vector<storage::recovered_message>& msgs) {
  std::vector<uint64_t> out;
  for (const auto& m : msgs)
    out.push_back(m.seq);
  return out;
}

/// The sequence numbers a full recovery of `s` loads.
inline std::vector<uint64_t> stored_seqs(storage::message_store& s) {
  auto r = recover(s, 1000);
  REQUIRE(r);
  return seqs_of(r->loaded);
}

} // namespace sluice::test
