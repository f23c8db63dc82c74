#!/bin/sh
# kfc fmt over every corpus Kubefile, every BuildKit case and every golden
# case: formatting is idempotent (fmt(fmt(x)) = fmt(x)), and it keeps the
# meaning: the BuildKit dump of the formatted text equals the original's
# once runs of blanks inside shell-form arguments are collapsed.
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Collapses runs of blanks (space, or the \t of the dump's quoting) in the
# lines of instructions whose arguments are shell text.
collapse() {
	awk '/^\((run|cmd|entrypoint|shell|cmds|appcmds|healthcheck|onbuild)[ )]/ { gsub(/( |\\t)+/, " ") } { print }' "$1"
}

check() { # check FILE NAME
	f=$1 name=$2
	"$KFC" fmt "$f" >"$tmp/a" 2>/dev/null || { not_ok "$name: kfc fmt failed"; return; }
	"$KFC" fmt "$tmp/a" >"$tmp/b" 2>/dev/null
	if ! cmp -s "$tmp/a" "$tmp/b"; then
		not_ok "$name: not idempotent"
		diff -u "$tmp/a" "$tmp/b" | head -20 | sed 's/^/# /'
		return
	fi
	"$KFC" parse --dump=buildkit "$f" 2>/dev/null | collapse /dev/stdin >"$tmp/d1"
	"$KFC" parse --dump=buildkit "$tmp/a" 2>/dev/null | collapse /dev/stdin >"$tmp/d2"
	if ! cmp -s "$tmp/d1" "$tmp/d2"; then
		not_ok "$name: meaning changed"
		diff -u "$tmp/d1" "$tmp/d2" | head -20 | sed 's/^/# /'
		return
	fi
	# the diagnostics are the same ones, by code and line
	"$KFC" parse --format=json "$f" 2>/dev/null | grep -E '"(code|line)"' >"$tmp/e1"
	"$KFC" parse --format=json "$tmp/a" 2>/dev/null | grep -E '"(code)"' >"$tmp/e2"
	grep '"code"' "$tmp/e1" >"$tmp/e1c"
	if ! cmp -s "$tmp/e1c" "$tmp/e2"; then
		not_ok "$name: diagnostics changed"
		diff -u "$tmp/e1c" "$tmp/e2" | head -10 | sed 's/^/# /'
		return
	fi
	n_ok=$((n_ok + 1))
}

n_ok=0
n=0
for f in "$KF_TESTDATA"/corpus/kubefile/*; do
	case $f in *.tsv | *.md | *.txt) continue ;; esac
	n=$((n + 1))
	check "$f" "corpus $(basename "$f")"
done
for f in "$KF_TESTDATA"/corpus/buildkit/*/Dockerfile "$KF_TESTDATA"/corpus/buildkit/negative/*/Dockerfile \
	"$KF_TESTDATA"/golden/parse/*.kubefile "$KF_TESTDATA"/golden/fmt/*.kubefile; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	check "$f" "$(basename "$(dirname "$f")")/$(basename "$f")"
done
if [ "$n_ok" -eq "$n" ]; then ok "$n files: idempotent, same meaning, same diagnostics"; fi
finish
