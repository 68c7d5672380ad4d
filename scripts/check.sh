#!/usr/bin/env bash
# Static checks: clang-format is clean, and each library stays in its room
# (Beast only in http/, RocksDB, keys and codecs only in storage/rocksdb/,
# CAF not in storage/).
set -euo pipefail
cd "$(dirname "$0")/.."

files=$(git ls-files '*.cpp' '*.hpp')
clang-format --dry-run --Werror $files

fail=0
forbid() { # pattern, allowed-dir
  local hits
  hits=$(grep -ln "$1" $files | grep -v "^$2/" || true)
  if [[ -n "$hits" ]]; then
    echo "error: '$1' used outside $2/: $hits" >&2
    fail=1
  fi
}
forbid '#include <boost/beast' http
forbid '#include <boost/asio' http
forbid '#include <rocksdb/' storage/rocksdb
# raft's C API (and libuv) stay behind storage/raft/'s own interface; only its
# deterministic fixture tests see them.
raft_hits=$(grep -lE '#include <(raft|uv)[./]' $files | grep -v '^storage/raft/' \
  | grep -v '^tests/unit/storage/raft/' || true)
if [[ -n "$raft_hits" ]]; then
  echo "error: raft's C API used outside storage/raft/: $raft_hits" >&2
  fail=1
fi
# Keys, codecs and the engine's own types stay behind the store interfaces;
# only the engine and its own tests (tests/unit/storage/) see them.
engine_only() { # pattern
  local hits
  hits=$(grep -lE "$1" $files | grep -v '^storage/rocksdb/' | grep -v '^tests/unit/storage/' || true)
  if [[ -n "$hits" ]]; then
    echo "error: '$1' used outside storage/rocksdb/: $hits" >&2
    fail=1
  fi
}
engine_only '#include "storage/rocksdb/(db|batch|writer|io_thread|recovery|record_codec|message_codec|dedup_index|redrive_codec|stores|status)\.hpp"'
engine_only '\b(message_key|queue_key|consumer_key|token_key|subscription_key|script_key|audit_key|redrive_key|shard_prefix|queue_messages_prefix|prefix_end|lease_secret_key)\('
engine_only 'storage::(batch|family|db|writer)\b'
if grep -ln '#include <caf/' $(git ls-files 'storage/*') >/dev/null 2>&1; then
  echo "error: storage/ must not depend on CAF" >&2
  fail=1
fi
# CTest splits a test's name at ';', so such a case would never run.
if grep -nE 'TEST_CASE\("[^"]*;' $(git ls-files 'tests/*.cpp') >&2; then
  echo "error: test names must not contain ';' (CTest splits them)" >&2
  fail=1
fi
exit $fail
