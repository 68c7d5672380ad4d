#!/usr/bin/env bash
# Static checks: clang-format is clean, and each library stays in its room
# (Beast only in http/, RocksDB only in storage/, CAF not in storage/).
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
forbid '#include <rocksdb/' storage
if grep -ln '#include <caf/' $(git ls-files 'storage/*') >/dev/null 2>&1; then
  echo "error: storage/ must not depend on CAF" >&2
  fail=1
fi
exit $fail
