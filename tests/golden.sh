#!/bin/sh
# Golden cases: each tests/golden/parse/*.kubefile beside its expected
# BuildKit dump (.dump), diagnostics and exit status (.diag) and JSON AST
# (.json). Regenerate with tests/regen.sh and review the diff.
. "$(dirname "$0")/lib.sh"
. "$KF_TESTDATA/golden-run.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for in in "$KF_TESTDATA"/golden/parse/*.kubefile; do
	base=$(basename "$in" .kubefile)
	golden_outputs "$in" "$tmp"
	for ext in dump diag json; do
		compare "$KF_TESTDATA/golden/parse/$base.$ext" "$tmp/$base.$ext" "$base.$ext"
	done
done
finish
