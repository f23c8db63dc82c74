#!/bin/sh
# security.sh - hostile inputs stay harmless: untrusted Kubefiles, build
# contexts, base images, download servers, YAML, Kubefiles for the formatter
# and JSON-RPC streams for kfls. Each case file under tests/security/ holds
# the cases of one finding of the security review (docs/build.md, "Security
# model"); every case was seen to fail before its fix.
#
# Sentinels: $HOST is a folder outside every rootfs, context and store, with
# files that no build may touch; host_intact checks them after each case.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/oci-lib.sh"

T=$(mktemp -d)
trap 'oci_cleanup; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
export KFC_STORE="$T/store"
KFLS=${KFLS:-$(dirname "$KFC")/kfls}
KFLINT=${KFLINT:-$(dirname "$KFC")/kflint}
umask 022

HOST=$T/host
host_reset() {
	rm -rf "$HOST"
	mkdir -p "$HOST/dir/sub"
	printf 'secret\n' >"$HOST/secret.txt"
	printf 'x\n' >"$HOST/x"
	printf 'keep\n' >"$HOST/dir/keep.txt"
	printf 'deep\n' >"$HOST/dir/sub/deep.txt"
}
# host_intact NAME: the sentinels are all there, unchanged
host_intact() {
	if [ "$(cat "$HOST/secret.txt" "$HOST/x" "$HOST/dir/keep.txt" "$HOST/dir/sub/deep.txt" 2>/dev/null)" = \
		"$(printf 'secret\nx\nkeep\ndeep')" ]; then
		ok "$1: the host's files are untouched"
	else
		not_ok "$1: the host's files were changed"
		(cd "$HOST" && find . | sort | sed 's/^/# left: /' | head -10)
		host_reset
	fi
}
host_reset

# expect_status WANT NAME CMD...: runs CMD, output in $T/out and $T/err
expect_status() {
	want=$1 name=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -eq "$want" ]; then
		ok "$name (exit $got)"
	else
		not_ok "$name: exit $got, expected $want"
		sed 's/^/# /' "$T/err" | head -20
	fi
}
# expect_err TEXT NAME: $T/err holds TEXT (a fixed string)
expect_err() {
	if grep -qF -- "$1" "$T/err"; then
		ok "$2"
	else
		not_ok "$2: no '$1' in the error output"
		sed 's/^/# /' "$T/err" | head -20
	fi
}

# KF_SECURITY_CASES="01 07": only the case files whose names start so (CI
# runs the ones that do not time anything under valgrind)
for f in "$KF_TESTDATA"/security/*.sh; do
	[ -f "$f" ] || continue
	if [ -n "${KF_SECURITY_CASES:-}" ]; then
		want=
		for c in $KF_SECURITY_CASES; do
			case $(basename "$f") in "$c"*) want=1 ;; esac
		done
		[ -n "$want" ] || continue
	fi
	printf '# %s\n' "$(basename "$f")"
	. "$f"
done
finish
