#!/usr/bin/env bash
# The package test (ctest -L package): builds the .deb with cpack, unpacks it into a
# scratch root under the build tree, checks its contents, control files and unit, starts
# the packaged binary with the packaged config and checks it serves, with the example
# plugins; then checks that `cmake --install --prefix` gives the same tree.
#
#   deb_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
work="$build/package-test"
root="$work/root"
token="package-test-bootstrap-token-0123456789"
account="0123456789abcdef0123456789abcdef"
server_pid=""

fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
for tool in cpack dpkg-deb curl; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps.sh test)"
done

rm -rf "$work"
mkdir -p "$work"

echo "== cpack -G DEB"
# cpack installs what is built (it builds nothing): `ninja` (all) has built the server and
# the example plugins.
(cd "$build" && cpack -G DEB -B "$work/cpack") >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; fail "cpack"; }
debs=("$work"/cpack/sluice_*.deb)
[[ ${#debs[@]} -eq 1 && -f "${debs[0]}" ]] || fail "expected one sluice_*.deb in $work/cpack"
deb="${debs[0]}"
echo "built $(basename "$deb") ($(du -h "$deb" | cut -f1))"

echo "== control"
dpkg-deb -f "$deb" Package | grep -qx sluice || fail "Package is not sluice"
version=$(sed -n 's/^project(sluice VERSION \([0-9.]*\).*/\1/p' "$(dirname "$0")/../../CMakeLists.txt")
dpkg-deb -f "$deb" Version | grep -qx "$version" || fail "Version is not $version"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for dep in adduser libcaf-core librocksdb libssl libstdc++6; do
  grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep"
done
dpkg-deb -e "$deb" "$work/control"
grep -qx /etc/sluice/sluice.toml "$work/control/conffiles" || fail "conffiles lacks the config"
for script in postinst prerm postrm; do
  [[ -x "$work/control/$script" ]] || fail "$script is missing or not executable"
done
grep -q 'adduser --system' "$work/control/postinst" || fail "postinst does not make the user"
if grep -qE 'systemctl (enable|start)' "$work/control/postinst"; then
  fail "postinst must not enable or start the service"
fi

echo "== contents"
dpkg-deb -x "$deb" "$root"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./||' | grep -v '/$' | sort >"$work/deb-files"
for f in usr/bin/sluice usr/lib/sluice/plugins/log.so usr/lib/sluice/plugins/backoff.so \
         usr/lib/sluice/plugins/noop.so usr/include/sluice/plugin.hpp \
         usr/lib/systemd/system/sluice.service etc/sluice/sluice.toml \
         usr/share/doc/sluice/examples/sluice.toml usr/share/doc/sluice/operations.md; do
  grep -qx "$f" "$work/deb-files" || fail "the package lacks /$f"
done
[[ -x "$root/usr/bin/sluice" ]] || fail "usr/bin/sluice is not executable"
cmp -s "$root/etc/sluice/sluice.toml" "$root/usr/share/doc/sluice/examples/sluice.toml" ||
  fail "the conffile and the example config differ"
if readelf -S "$root/usr/bin/sluice" | grep -q '\.debug_info'; then
  fail "usr/bin/sluice is not stripped"
fi

echo "== unit"
unit="$root/usr/lib/systemd/system/sluice.service"
for line in 'User=sluice' 'Group=sluice' \
            'ExecStart=/usr/bin/sluice serve --config /etc/sluice/sluice.toml' \
            'EnvironmentFile=-/etc/sluice/sluice.env' 'StateDirectory=sluice' \
            'StateDirectoryMode=0700' 'Restart=on-failure' 'LimitNOFILE=65536' \
            'NoNewPrivileges=yes' 'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' \
            'PrivateDevices=yes' 'ProtectKernelTunables=yes' 'ProtectKernelModules=yes' \
            'ProtectControlGroups=yes' 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' \
            'RestrictNamespaces=yes' 'LockPersonality=yes' 'MemoryDenyWriteExecute=yes' \
            'SystemCallArchitectures=native' 'ReadWritePaths=/var/lib/sluice' \
            'CapabilityBoundingSet=' 'WantedBy=multi-user.target'; do
  grep -qxF "$line" "$unit" || fail "the unit lacks '$line'"
done
grep -q '^RestartSec=' "$unit" || fail "the unit lacks RestartSec="
# Stopping takes up to twice --shutdown-grace (docs/operations.md).
grace=$(sed -n 's/^#\? *shutdown-grace = \([0-9]*\)/\1/p' "$root/etc/sluice/sluice.toml")
stop=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)$/\1/p' "$unit")
[[ -n "$grace" && -n "$stop" && $stop -gt $((2 * grace)) ]] ||
  fail "TimeoutStopSec=$stop is not more than twice shutdown-grace ($grace)"
if command -v systemd-analyze >/dev/null; then
  # verify wants ExecStart='s binary to exist: point it into the scratch root. It
  # reports unknown keys and bad values but still exits 0, so any output fails.
  mkdir -p "$work/verify"
  sed "s|^ExecStart=/usr/bin/sluice |ExecStart=$root/usr/bin/sluice |" "$unit" \
    >"$work/verify/sluice.service"
  if ! systemd-analyze verify --man=no "$work/verify/sluice.service" >"$work/verify.log" 2>&1 ||
      [[ -s "$work/verify.log" ]]; then
    cat "$work/verify.log" >&2
    fail "systemd-analyze verify"
  fi
  echo "systemd-analyze verify: ok"
else
  echo "systemd-analyze not found: unit not verified"
fi

echo "== config keys are flags of sluice serve"
help=$("$root/usr/bin/sluice" serve --help)
keys=$(sed -n 's/^#\? *\([a-z][a-z-]*\) = .*/\1/p' "$root/etc/sluice/sluice.toml")
[[ -n "$keys" ]] || fail "no keys found in the config"
for key in $keys; do
  grep -q -- "--$key\b" <<<"$help" || fail "config key '$key' is no flag of sluice serve"
done

echo "== start the packaged binary with the packaged config"
# The config's plugin-dir and data-dir are those of the target machine: the command line
# overrides them (flags win over the file).
SLUICE_BOOTSTRAP_TOKEN="$token" "$root/usr/bin/sluice" serve \
  --config "$root/etc/sluice/sluice.toml" --data-dir "$work/data" --listen 127.0.0.1:0 \
  --plugin-dir "$root/usr/lib/sluice/plugins" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
base=""
for _ in $(seq 1 200); do
  base=$(sed -n 's|^listening on \(http://.*\)$|\1|p' "$work/server.out")
  [[ -n "$base" ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; fail "the server exited"; }
  sleep 0.1
done
[[ -n "$base" ]] || { cat "$work/server.err" >&2; fail "the server did not listen within 20 s"; }
echo "listening on $base"
curl -fsS "$base/healthz" | grep -q '"ok"' || fail "GET /healthz"
plugins=$(curl -fsS -H "Authorization: Bearer $token" \
  "$base/client/v4/accounts/$account/sluice/plugins")
echo "plugins: $plugins"
for p in noop log backoff webhook file-sink; do
  grep -q "\"$p\"" <<<"$plugins" || fail "GET /sluice/plugins does not list $p"
done
kill -TERM "$server_pid"
rc=0
wait "$server_pid" || rc=$?
server_pid=""
[[ $rc -eq 0 ]] || { cat "$work/server.err" >&2; fail "the server exited with $rc on SIGTERM"; }
grep -q 'stopped cleanly' "$work/server.err" || fail "no 'stopped cleanly' in the log"
if grep -qE '\] \[(warning|error)\]' "$work/server.err"; then
  cat "$work/server.err" >&2
  fail "warnings or errors in the server's log"
fi

echo "== cmake --install --prefix"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log" >&2; fail "cmake --install"; }
# The same files as the package: usr/X there is X here, etc/ is etc/ in both.
(cd "$prefix" && find . -type f -o -type l) | sed 's|^\./||' | sort >"$work/prefix-files"
sed 's|^usr/||' "$work/deb-files" | sort >"$work/deb-files-mapped"
diff -u "$work/deb-files-mapped" "$work/prefix-files" || fail "cmake --install gives other files"
grep -qxF "ExecStart=$prefix/bin/sluice serve --config $prefix/etc/sluice/sluice.toml" \
  "$prefix/lib/systemd/system/sluice.service" || fail "the unit's ExecStart= is not of the prefix"
grep -qxF "plugin-dir = \"$prefix/lib/sluice/plugins\"" "$prefix/etc/sluice/sluice.toml" ||
  fail "the config's plugin-dir is not of the prefix"
# A second install keeps an edited config.
echo "# edited" >>"$prefix/etc/sluice/sluice.toml"
cmake --install "$build" --prefix "$prefix" >"$work/install2.log" 2>&1 ||
  { cat "$work/install2.log" >&2; fail "cmake --install (again)"; }
grep -qx '# edited' "$prefix/etc/sluice/sluice.toml" || fail "cmake --install overwrote the config"

echo "package test passed"
