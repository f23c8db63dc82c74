#!/bin/sh
# docs/grammar.md gives the grammar of grammar/kubefile.y in EBNF. This test
# derives the EBNF from the .y (through bison's report) and checks that the
# block between the "<!-- ebnf:begin -->" and "<!-- ebnf:end -->" marks in
# the doc is exactly that. With --print, prints the EBNF (to update the doc).
. "$(dirname "$0")/lib.sh"

command -v bison >/dev/null 2>&1 || { echo "bison not installed: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bison -v -o "$tmp/k.c" "$KF_SRCDIR/grammar/kubefile.y" 2>"$tmp/err" || { cat "$tmp/err"; exit 99; }

# "  N lhs: a b" / "  N    | c" lines become
#   lhs = a b
#       | c ;
# with ε written as an empty alternative "(* empty *)".
sed -n '/^Grammar$/,/^Terminals/p' "$tmp/k.output" | awk '
	/^ +[0-9]+ / {
		sub(/^ +[0-9]+ +/, "")
		if ($0 ~ /^\|/) { rhs = substr($0, 3) }
		else {
			i = index($0, ": ")
			lhs = substr($0, 1, i - 1); rhs = substr($0, i + 2)
			if (lhs == "$accept") next
			if (cur != "") print pad " ;"
			cur = lhs; first = 1
		}
		if (rhs == "ε" || rhs == "%empty") rhs = "(* empty *)"
		if (first) { printf "%s = %s\n", cur, rhs; pad = sprintf("%" length(cur) "s", ""); first = 0 }
		else printf "%s | %s\n", pad, rhs
	}
	END { if (cur != "") print pad " ;" }
' >"$tmp/ebnf"

if [ "${1:-}" = "--print" ]; then cat "$tmp/ebnf"; exit 0; fi

sed -n '/<!-- ebnf:begin -->/,/<!-- ebnf:end -->/p' "$KF_SRCDIR/docs/grammar.md" |
	sed '1,2d;$d' | sed '$d' >"$tmp/doc"
compare "$tmp/ebnf" "$tmp/doc" "docs/grammar.md EBNF matches grammar/kubefile.y"
finish
