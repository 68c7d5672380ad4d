#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/records.hpp"

/// The `meta` family's keys and the binary codec of every control-plane
/// record. Only `storage/rocksdb/` includes this.

namespace sluice::storage {

/// Key prefix under which every queue of every account is stored.
inline constexpr std::string_view queue_prefix = "queue/";
/// Key prefix under which every token is stored.
inline constexpr std::string_view token_prefix = "token/";

/// `meta` key of the secret that signs lease ids and peek refs (created at
/// first start; changing it invalidates outstanding leases).
inline constexpr std::string_view lease_secret_key = "secret/lease";

/// `meta` key of a queue: `queue/<account>/<id>`.
std::string queue_key(std::string_view account, std::string_view id);
/// Key prefix of every consumer.
inline constexpr std::string_view consumer_prefix = "consumer/";
/// `meta` key of a queue's consumer: `consumer/<account>/<queue_id>` for slot
/// 0 (the key from before fan-out), `consumer/<account>/<queue_id>.<slot>`
/// for the others; every key of a queue starts with slot 0's key.
std::string consumer_key(std::string_view account, std::string_view queue_id, uint16_t slot = 0);
/// The account and queue id of a consumer key (false if malformed); the slot
/// is in the record itself.
bool parse_consumer_key(std::string_view key, std::string& account, std::string& queue_id);

/// Key prefix of every event subscription.
inline constexpr std::string_view subscription_prefix = "subscription/";
/// `meta` key of a subscription: `subscription/<account>/<id>`.
std::string subscription_key(std::string_view account, std::string_view id);

/// Key prefix of every script.
inline constexpr std::string_view script_prefix = "script/";
/// `meta` key of a script: `script/<account>/<name>`.
std::string script_key(std::string_view account, std::string_view name);

/// Key prefix of every audit entry.
inline constexpr std::string_view audit_prefix = "audit/";
/// `meta` key of an audit entry: `audit/<account>/<seq as 20 zero-padded
/// digits>`, so an account's entries sort oldest first.
std::string audit_key(std::string_view account, uint64_t seq);

/// `meta` key of a token: `token/<hash>`.
std::string token_key(std::string_view hash);

std::string encode(const queue_record& x);
std::string encode(const token_record& x);
std::string encode(const consumer_record& x);
std::string encode(const subscription_record& x);
std::string encode(const script_record& x);
std::string encode(const audit_record& x);
/// Decoders return nullopt for bytes that are not a record of this type and
/// version (a corrupt or foreign value).
std::optional<queue_record> decode_queue(std::string_view bytes);
std::optional<token_record> decode_token(std::string_view bytes);
std::optional<consumer_record> decode_consumer(std::string_view bytes);
std::optional<subscription_record> decode_subscription(std::string_view bytes);
std::optional<script_record> decode_script(std::string_view bytes);
std::optional<audit_record> decode_audit(std::string_view bytes);

} // namespace sluice::storage
