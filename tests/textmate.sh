#!/bin/sh
# The VS Code TextMate grammar (editors/vscode/syntaxes): every corpus
# Kubefile is tokenised by vscode-textmate with vscode-oniguruma, as VS
# Code does, without an error; the scopes of the sample files are exactly
# tests/golden/textmate/sample.out (regenerate with --regen). npm installs
# the two packages into a cache outside the repository.
. "$(dirname "$0")/lib.sh"
. "$KF_TESTDATA/npm-cache.sh"
regen=0
[ "${1:-}" = --regen ] && regen=1
npm_need vscode-textmate@9.0.0 vscode-oniguruma@2.0.1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grammar=$KF_SRCDIR/editors/vscode/syntaxes/kubefile.tmLanguage.json
samples="$KF_TESTDATA/golden/lsp/features.kubefile $KF_TESTDATA/golden/lsp/unicode.kubefile $KF_TESTDATA/golden/textmate/sample.kubefile"
set --
for f in "$KF_TESTDATA"/corpus/kubefile/*; do
	case $f in *.tsv|*.md|*.txt) continue ;; esac
	[ -f "$f" ] && set -- "$@" "$f"
done
# shellcheck disable=SC2086
if NODE_PATH=$npm_dir/node_modules node "$KF_TESTDATA/textmate.js" "$grammar" "$tmp/sample.out" "$@" --golden $samples >"$tmp/log" 2>&1; then
	ok "textmate: $(tail -n 1 "$tmp/log")"
else
	not_ok "textmate: the corpus"
	sed 's/^/# /' "$tmp/log" | head -20
fi
if [ $regen = 1 ]; then
	cp "$tmp/sample.out" "$KF_TESTDATA/golden/textmate/sample.out"
fi
compare "$KF_TESTDATA/golden/textmate/sample.out" "$tmp/sample.out" "textmate: golden scopes of the samples"
finish
