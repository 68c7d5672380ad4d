#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

namespace sluice::events {

/// One payload field of a schema version.
struct field_schema {
  /// Payload key, camelCase as Cloudflare sends it (e.g. "storageClass").
  std::string name;
  /// One of "string", "integer", "number", "boolean", "object", "array".
  std::string type;
  /// A required field must be present and not null.
  bool required = false;
};

/// The payload schema of one version of an event.
struct schema_version {
  /// Positive version number, as in `metadata.eventSchemaVersion`.
  int version = 0;
  /// Fields in the order the catalog file lists them.
  std::vector<field_schema> fields;
};

/// One event type of a source (e.g. "bucket.created").
struct event_type {
  /// Event name without the source, e.g. "job.object.migrated".
  std::string name;
  /// Ascending by version; never empty.
  std::vector<schema_version> versions;
};

/// One event source (e.g. "r2", "workersAi.model").
struct source_type {
  /// The source type, e.g. "workersAi.model".
  std::string type;
  /// snake_case subscription fields a subscription to this source must set
  /// (e.g. "model_name"); empty for unfiltered sources.
  std::vector<std::string> filters;
  /// Sorted by name.
  std::vector<event_type> events;
};

/// The event catalog: every source, its events and their payload schemas, kept as
/// data (events/catalog/*.json, see events/catalog/README.md). A loaded catalog is
/// immutable in practice: const members may be called from any thread at once;
/// load() must not run concurrently with anything else on the same object.
class catalog {
public:
  /// The catalog compiled from events/catalog/*.json (parsed once, thread-safe).
  /// The build ships files that load (the unit tests check it); should they not,
  /// this prints the error to stderr and aborts, as the binary is broken.
  static const catalog& builtin();

  /// Parses catalog files (each a JSON text as above); on error returns false and sets `error`
  /// naming the file/field. On success replaces the whole content of this catalog; on failure
  /// leaves it unchanged. Files are named in errors by position ("catalog file 2") and, once known,
  /// by source.
  bool load(const std::vector<std::string>& files, std::string& error);

  /// Every source, sorted by type.
  const std::vector<source_type>& sources() const;

  /// The source with this type, or nullptr. The pointer lives as long as this
  /// catalog is neither loaded again nor destroyed.
  const source_type* find_source(std::string_view type) const;

  /// The event of this source, or nullptr when either is unknown. Same lifetime
  /// as find_source().
  const event_type* find_event(std::string_view source, std::string_view event) const;

  /// Checks `payload` (must be a JSON object) against `version` of the event (0 = the latest).
  /// Returns "" when valid, else a message a person can act on that names the failing field,
  /// e.g. "payload.name is required" or "payload.location must be a string" or
  /// "r2 has no event 'bucket.exploded'" or "bucket.created has no schema version 7 (versions: 1,
  /// 2)". Sets `used_version` to the version checked. Unknown extra payload fields are allowed.
  /// `used_version` is 0 when no version could be chosen (unknown source, event or
  /// version). A null field counts as absent.
  std::string validate(std::string_view source, std::string_view event, int version,
                       simdjson::dom::element payload, int& used_version) const;

private:
  struct named_text {
    std::string name;
    std::string_view text;
  };

  bool load_named(const std::vector<named_text>& files, std::string& error);

  std::vector<source_type> sources_;
};

} // namespace sluice::events
