# oci-lib.sh - shell functions for the tests that check OCI image layouts with
# real tools: Debian's docker-registry, umoci and skopeo. Sourced (POSIX sh)
# after lib.sh. Nothing here reaches beyond 127.0.0.1.
#
#   oci_verify LAYOUT [--ref NAME] [--json]  tests/oci-verify.py
#   oci_digest LAYOUT [TAG] the manifest digest in index.json (of TAG, or the
#                           only manifest)
#   registry_start DIR      a registry on 127.0.0.1:free-port, storage in DIR;
#                           exports REGISTRY=127.0.0.1:PORT, sets REGISTRY_PID
#   registry_stop           stops it by its PID and waits for it
#   umoci_unpack LAYOUT:TAG DEST    umoci unpack --rootless (rootfs in DEST/rootfs)
#   rootfs_listing DIR      sorted listing "TYPE MODE PATH [SIZE] [-> TARGET]"
#   skopeo_inspect LAYOUT:TAG [SKOPEO-INSPECT-OPTIONS...]
#   skopeo_roundtrip LAYOUT:TAG [DEST-LAYOUT]
#                           oci: -> registry -> new layout; the manifest digest
#                           must not change; sets ROUNDTRIP_DIGEST, ROUNDTRIP_LAYOUT
#   oci_cleanup             registry_stop (registry_stop_all when
#                           registry-lib.sh is loaded) and remove the
#                           scratch directory
#
# Every function returns non-zero with a line "oci-lib: FUNCTION: why" on
# stderr when it fails. Call registry_start and skopeo_roundtrip directly,
# not in $(...): the variables they set would be lost in a subshell.

# shellcheck shell=sh
: "${KF_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
# Debian's python3 has python3-jsonschema; a python3 first in PATH may not.
if [ -z "${OCI_PYTHON:-}" ]; then
	OCI_PYTHON=python3
	[ -x /usr/bin/python3 ] && OCI_PYTHON=/usr/bin/python3
fi
OCI_VERIFY="$KF_SRCDIR/tests/oci-verify.py"
REGISTRY=
REGISTRY_PID=
oci_roundtrips=0

oci_fail() { printf 'oci-lib: %s\n' "$*" >&2; return 1; }

# A scratch directory (policy.json, logs), made now so that functions run in
# $(...) share it; the caller's EXIT trap runs oci_cleanup.
OCI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/oci-lib.XXXXXX") || { echo "oci-lib: mktemp failed" >&2; exit 99; }
printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' >"$OCI_TMP/policy.json"

# oci_skopeo ARGS...: skopeo with an insecureAcceptAnything policy.
oci_skopeo() { skopeo --policy "$OCI_TMP/policy.json" "$@"; }

oci_verify() { "$OCI_PYTHON" "$OCI_VERIFY" "$@"; }

oci_digest() {
	[ -f "${1:-}/index.json" ] || { oci_fail "oci_digest: no index.json in ${1:-}"; return 1; }
	"$OCI_PYTHON" - "$1/index.json" "${2:-}" <<'EOF' || { oci_fail "oci_digest: $1${2:+:$2}: no such manifest, or several"; return 1; }
import json, sys
ms = json.load(open(sys.argv[1])).get("manifests") or []
if sys.argv[2]:
    ms = [m for m in ms if (m.get("annotations") or {}).get("org.opencontainers.image.ref.name") == sys.argv[2]]
sys.exit(1) if len(ms) != 1 else print(ms[0]["digest"])
EOF
}

# oci_free_port: prints a TCP port on 127.0.0.1 that was free a moment ago.
oci_free_port() {
	"$OCI_PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# oci_http_ok URL: true when URL answers (any HTTP status below 500).
oci_http_ok() {
	"$OCI_PYTHON" -c 'import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=2)
except urllib.error.HTTPError as e:
    sys.exit(0 if e.code < 500 else 1)
except Exception:
    sys.exit(1)' "$1"
}

# registry_start DIR: starts docker-registry (Debian's distribution 2.8) bound
# to 127.0.0.1 on a free port, its storage, config and log in DIR; waits until
# /v2/ answers (up to 20 s). Tries three ports in case one is taken meanwhile.
registry_start() {
	[ -n "${1:-}" ] || { oci_fail "registry_start: usage: registry_start DIR"; return 1; }
	[ -z "$REGISTRY_PID" ] || { oci_fail "registry_start: a registry is already running (pid $REGISTRY_PID)"; return 1; }
	command -v docker-registry >/dev/null 2>&1 ||
		{ oci_fail "registry_start: docker-registry not found (Debian package docker-registry)"; return 1; }
	mkdir -p "$1/storage" || { oci_fail "registry_start: cannot create $1"; return 1; }
	_dir=$(cd "$1" && pwd)
	for _try in 1 2 3; do
		_port=$(oci_free_port) || { oci_fail "registry_start: no free port"; return 1; }
		cat >"$_dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $_dir/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$_port
EOF
		docker-registry serve "$_dir/config.yml" >"$_dir/registry.log" 2>&1 &
		REGISTRY_PID=$!
		echo "$REGISTRY_PID" >"$_dir/registry.pid"
		_i=0
		while [ $_i -lt 100 ]; do
			if ! kill -0 "$REGISTRY_PID" 2>/dev/null; then
				break
			fi
			if oci_http_ok "http://127.0.0.1:$_port/v2/"; then
				REGISTRY=127.0.0.1:$_port
				export REGISTRY
				return 0
			fi
			sleep 0.2
			_i=$((_i + 1))
		done
		kill "$REGISTRY_PID" 2>/dev/null
		wait "$REGISTRY_PID" 2>/dev/null
		REGISTRY_PID=
	done
	oci_fail "registry_start: docker-registry did not answer on 127.0.0.1; its log:"
	sed 's/^/# /' "$_dir/registry.log" >&2
	return 1
}

# registry_stop: stops the registry registry_start started, by its PID, and
# waits until it has gone (SIGKILL after 10 s).
registry_stop() {
	[ -n "$REGISTRY_PID" ] || return 0
	kill "$REGISTRY_PID" 2>/dev/null
	_i=0
	while kill -0 "$REGISTRY_PID" 2>/dev/null && [ $_i -lt 50 ]; do
		sleep 0.2
		_i=$((_i + 1))
	done
	if kill -0 "$REGISTRY_PID" 2>/dev/null; then
		kill -9 "$REGISTRY_PID" 2>/dev/null
		oci_fail "registry_stop: registry (pid $REGISTRY_PID) ignored SIGTERM, killed"
	fi
	wait "$REGISTRY_PID" 2>/dev/null
	REGISTRY_PID=
	REGISTRY=
	return 0
}

# umoci_unpack LAYOUT:TAG DEST: the image's rootfs in DEST/rootfs, unpacked
# as a non-root user would (whiteouts applied, owners not kept).
umoci_unpack() {
	[ $# -eq 2 ] || { oci_fail "umoci_unpack: usage: umoci_unpack LAYOUT:TAG DEST"; return 1; }
	if ! umoci unpack --rootless --image "$1" "$2" >"$OCI_TMP/umoci.log" 2>&1; then
		oci_fail "umoci_unpack: umoci unpack --rootless --image $1 $2 failed:"
		sed 's/^/# /' "$OCI_TMP/umoci.log" >&2
		return 1
	fi
}

# rootfs_listing DIR: one line per entry under DIR, sorted by path (C
# locale): "TYPE MODE PATH" (TYPE as find's %y: d f l p s c b), then the size
# for regular files and "-> TARGET" for symbolic links. No owners, times or
# directory sizes, which differ between machines.
rootfs_listing() {
	[ -d "${1:-}" ] || { oci_fail "rootfs_listing: not a directory: ${1:-}"; return 1; }
	(cd "$1" && find . -mindepth 1 -printf '%P\t%y\t%#m\t%s\t%l\n') |
		LC_ALL=C sort -t "$(printf '\t')" -k1,1 |
		awk -F '\t' '{
			line = $2 " " $3 " " $1
			if ($2 == "f") line = line " " $4
			if ($2 == "l") line = line " -> " $5
			print line
		}'
}

# skopeo_inspect LAYOUT:TAG [OPTIONS...]: skopeo inspect of oci:LAYOUT:TAG;
# OPTIONS go to skopeo inspect (--raw for the manifest, --config).
skopeo_inspect() {
	[ $# -ge 1 ] || { oci_fail "skopeo_inspect: usage: skopeo_inspect LAYOUT:TAG [OPTIONS...]"; return 1; }
	_ref=$1
	shift
	if ! oci_skopeo inspect "$@" "oci:$_ref" 2>"$OCI_TMP/skopeo.err"; then
		oci_fail "skopeo_inspect: skopeo inspect $* oci:$_ref failed:"
		sed 's/^/# /' "$OCI_TMP/skopeo.err" >&2
		return 1
	fi
}

# oci_sha256 FILE: prints sha256:HEX of FILE.
oci_sha256() { printf 'sha256:%s\n' "$(sha256sum <"$1" | cut -c1-64)"; }

# skopeo_roundtrip LAYOUT:TAG [DEST]: copies oci:LAYOUT:TAG to
# docker://$REGISTRY/kfc-test/rtN:TAG (plain http) and back into the new
# layout DEST (default: a fresh one in the scratch directory), with
# --preserve-digests. The manifest digest must be the same in LAYOUT, in the
# registry and in DEST. Sets ROUNDTRIP_DIGEST and ROUNDTRIP_LAYOUT.
skopeo_roundtrip() {
	[ $# -ge 1 ] || { oci_fail "skopeo_roundtrip: usage: skopeo_roundtrip LAYOUT:TAG [DEST]"; return 1; }
	[ -n "$REGISTRY" ] || { oci_fail "skopeo_roundtrip: no registry (call registry_start first)"; return 1; }
	case $1 in
	*:*) _tag=${1##*:} ;;
	*) oci_fail "skopeo_roundtrip: $1: give LAYOUT:TAG"; return 1 ;;
	esac
	oci_roundtrips=$((oci_roundtrips + 1))
	_remote="docker://$REGISTRY/kfc-test/rt$oci_roundtrips:$_tag"
	_dest=${2:-$OCI_TMP/roundtrip$oci_roundtrips}
	_log=$OCI_TMP/roundtrip.log
	oci_skopeo inspect --raw "oci:$1" >"$OCI_TMP/m.src" 2>"$_log" ||
		{ oci_fail "skopeo_roundtrip: cannot read oci:$1:"; sed 's/^/# /' "$_log" >&2; return 1; }
	_src=$(oci_sha256 "$OCI_TMP/m.src")
	oci_skopeo copy --quiet --preserve-digests --dest-tls-verify=false "oci:$1" "$_remote" >"$_log" 2>&1 ||
		{ oci_fail "skopeo_roundtrip: skopeo copy oci:$1 $_remote failed:"; sed 's/^/# /' "$_log" >&2; return 1; }
	oci_skopeo inspect --raw --tls-verify=false "$_remote" >"$OCI_TMP/m.reg" 2>"$_log" ||
		{ oci_fail "skopeo_roundtrip: skopeo inspect $_remote failed:"; sed 's/^/# /' "$_log" >&2; return 1; }
	_reg=$(oci_sha256 "$OCI_TMP/m.reg")
	oci_skopeo copy --quiet --preserve-digests --src-tls-verify=false "$_remote" "oci:$_dest:$_tag" >"$_log" 2>&1 ||
		{ oci_fail "skopeo_roundtrip: skopeo copy $_remote oci:$_dest:$_tag failed:"; sed 's/^/# /' "$_log" >&2; return 1; }
	oci_skopeo inspect --raw "oci:$_dest:$_tag" >"$OCI_TMP/m.back" 2>"$_log" ||
		{ oci_fail "skopeo_roundtrip: cannot read oci:$_dest:$_tag:"; sed 's/^/# /' "$_log" >&2; return 1; }
	_back=$(oci_sha256 "$OCI_TMP/m.back")
	# shellcheck disable=SC2034  # for the caller
	ROUNDTRIP_LAYOUT=$_dest
	# shellcheck disable=SC2034
	ROUNDTRIP_DIGEST=$_back
	if [ "$_src" != "$_reg" ] || [ "$_src" != "$_back" ]; then
		oci_fail "skopeo_roundtrip: manifest digest changed: $_src in $1, $_reg in the registry, $_back after the copy back"
		return 1
	fi
}

# oci_cleanup: stop the registry (and those registry-lib.sh started) and
# remove the scratch directory; for the caller's EXIT trap.
oci_cleanup() {
	# registry-lib.sh's registry_stop_all also stops what it started
	if command -v registry_stop_all >/dev/null 2>&1; then
		registry_stop_all
	else
		registry_stop
	fi
	[ -z "$OCI_TMP" ] || rm -rf "$OCI_TMP"
}
