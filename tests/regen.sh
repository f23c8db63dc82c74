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
for in in "$KF_TESTDATA"/golden/fmt/*.kubefile; do
	base=$(basename "$in" .kubefile)
	args=$(cat "$KF_TESTDATA/golden/fmt/$base.args" 2>/dev/null || true)
	# shellcheck disable=SC2086
	(cd "$KF_TESTDATA/golden/fmt" && "$KFC" fmt $args "$base.kubefile") >"$KF_TESTDATA/golden/fmt/$base.out" 2>/dev/null
done
"$KF_TESTDATA/corpus.sh" --regen
"$KF_TESTDATA/lint-corpus.sh" --regen
"$KF_TESTDATA/lint-rules.sh" --regen
"$KF_TESTDATA/lint-sealos.sh" --regen
"$KF_TESTDATA/imagelist.sh" --regen
KF_REGEN=1 sh "$KF_TESTDATA/build.sh" >/dev/null
"$KF_TESTDATA/lsp.sh" --regen
"$KF_TESTDATA/textmate.sh" --regen || true
sh "$KF_TESTDATA/install.sh" --regen
echo "regenerated; review with: git diff --stat tests/golden"
