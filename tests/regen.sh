#!/bin/sh
# Regenerates every golden file from the current kfc: run it, then read
# the diff (git diff tests/golden) before committing it.
#   tests/regen.sh            (KFC defaults to build/kfc)
set -e
. "$(dirname "$0")/lib.sh"
. "$KF_TESTDATA/golden-run.sh"
for in in "$KF_TESTDATA"/golden/parse/*.kubefile; do
	golden_outputs "$in" "$KF_TESTDATA/golden/parse"
done
"$KF_TESTDATA/corpus.sh" --regen
echo "regenerated; review with: git diff --stat tests/golden"
