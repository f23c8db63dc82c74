#!/bin/sh
# BuildKit's parser cases: every positive case gives its `result` byte for
# byte with --dump=buildkit and no error; every negative case fails with a
# located diagnostic.
. "$(dirname "$0")/lib.sh"

dir=$KF_TESTDATA/corpus/buildkit
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for d in "$dir"/*/; do
	case=$(basename "$d")
	[ -f "$d/result" ] || continue
	rc=0
	"$KFC" parse --dump=buildkit "$d/Dockerfile" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ $rc -ne 0 ]; then
		not_ok "buildkit $case: exit status $rc"
		sed 's/^/# /' "$tmp/err"
		continue
	fi
	compare "$d/result" "$tmp/out" "buildkit $case"
done
for d in "$dir"/negative/*/; do
	case=$(basename "$d")
	rc=0
	(cd "$d" && "$KFC" parse --color=never Dockerfile) >/dev/null 2>"$tmp/err" || rc=$?
	if [ $rc -eq 1 ] && grep -q -E '^Dockerfile:[0-9]+:[0-9]+: error: .* \[KF[0-9]+\]$' "$tmp/err"; then
		ok "buildkit negative $case: $(head -1 "$tmp/err")"
	else
		not_ok "buildkit negative $case: exit status $rc"
		sed 's/^/# /' "$tmp/err"
	fi
done
finish
