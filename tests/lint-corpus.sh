#!/bin/sh
# kflint over every corpus Kubefile, as one process: no crash, and the
# number of findings per rule and level is tests/golden/lint-corpus-summary.txt
# (--regen rewrites it; review the sealos files' findings when it changes).
. "$(dirname "$0")/lib.sh"

KFLINT=$(dirname "$KFC")/kflint
golden=$KF_TESTDATA/golden/lint-corpus-summary.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$KF_TESTDATA/corpus/kubefile" || exit 99
rc=0
# shellcheck disable=SC2046
${KF_WRAP:-} "$KFLINT" -f gnu --no-shellcheck --failure-threshold=none $(ls | grep -v -E '\.(tsv|md|txt)$' | LC_ALL=C sort) \
	>"$tmp/out" 2>"$tmp/err" || rc=$?
# "file:line:col: level: message [CODE]" -> "CODE level"
sed -E 's/^[^:]*:[0-9]+:[0-9]+: ([a-z]+): .* \[([A-Z0-9]+)\]$/\2 \1/' "$tmp/out" | sort | uniq -c |
	awk '{ printf "%s %s %d\n", $2, $3, $1 }' >"$tmp/summary"
if [ "${1:-}" = "--regen" ]; then
	cp "$tmp/summary" "$golden"
	echo "wrote $golden"
	exit 0
fi
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ]; then ok "kflint over the corpus: exit 0, nothing on stderr"; else
	not_ok "kflint over the corpus: exit $rc"; sed 's/^/# /' "$tmp/err" | head; fi
compare "$golden" "$tmp/summary" "findings per rule over the corpus"
finish
