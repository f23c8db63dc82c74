#!/bin/sh
# Golden cases of the formatter: tests/golden/fmt/NAME.kubefile formatted
# with the arguments in NAME.args (if any) is NAME.out, and formatting that
# again changes nothing. Regenerate with tests/regen.sh. KF_WRAP (e.g.
# valgrind) wraps kfc.
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dir=$KF_TESTDATA/golden/fmt
for in in "$dir"/*.kubefile; do
	base=$(basename "$in" .kubefile)
	args=$(cat "$dir/$base.args" 2>/dev/null || true)
	# shellcheck disable=SC2086
	(cd "$dir" && ${KF_WRAP:-} "$KFC" fmt $args "$base.kubefile") >"$tmp/out" 2>"$tmp/err"
	if [ -n "${KF_WRAP:-}" ] && grep -q '^==[0-9]*==' "$tmp/err"; then
		not_ok "fmt $base: $(head -3 "$tmp/err")"
	fi
	compare "$dir/$base.out" "$tmp/out" "fmt $base"
	case $args in --lines*) continue ;; esac
	# shellcheck disable=SC2086
	"$KFC" fmt $args - <"$tmp/out" >"$tmp/again" 2>/dev/null
	compare "$tmp/out" "$tmp/again" "fmt $base is idempotent"
done
finish
