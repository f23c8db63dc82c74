#!/bin/sh
# The real Kubefiles of tests/corpus/kubefile: every one parses without a
# crash (exit status 0 or 1), and the diagnostics over the whole corpus
# match tests/golden/corpus-diagnostics.txt. With --regen, rewrites it.
# KF_WRAP (e.g. "valgrind --error-exitcode=3 --leak-check=full") wraps kfc.
. "$(dirname "$0")/lib.sh"

dir=$KF_TESTDATA/corpus/kubefile
golden=$KF_TESTDATA/golden/corpus-diagnostics.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$dir" || exit 99
ls | grep -v -E '\.(tsv|md|txt)$' | LC_ALL=C sort >"$tmp/files"
n=$(wc -l <"$tmp/files")
# one process for the whole corpus (so a wrapper runs once), and diagnostics
# as text with the source line and caret
rc=0
# shellcheck disable=SC2046
${KF_WRAP:-} "$KFC" parse --color=never $(cat "$tmp/files") >/dev/null 2>"$tmp/diags" || rc=$?
if [ "$1" = "--regen" ]; then
	cp "$tmp/diags" "$golden"
	echo "wrote $golden"
	exit 0
fi
if [ "$rc" -le 1 ]; then ok "corpus: $n files parsed, exit status $rc"; else not_ok "corpus: exit status $rc"; fi
compare "$golden" "$tmp/diags" "corpus diagnostics"
# each file on its own too: no crash, and the dump succeeds
crashes=0
while read -r f; do
	"$KFC" parse --dump=buildkit "$f" >/dev/null 2>&1
	s=$?
	if [ $s -gt 1 ]; then crashes=$((crashes + 1)); echo "# $f: exit status $s"; fi
done <"$tmp/files"
if [ $crashes -eq 0 ]; then ok "corpus: every file dumps on its own"; else not_ok "corpus: $crashes files failed"; fi
finish
