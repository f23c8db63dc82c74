#!/bin/sh
# Every rule has a page in docs/rules/ with a Bad and a Good example: the Bad
# one fires the rule, at the spans in tests/golden/lint/CODE.json (all its
# findings, so that no other rule fires unnoticed); the Good one is clean.
# A page's "## Settings" block, if any, is the .kflint.yaml for both; its
# "## Context" block, if any, lists files of the build context of both, and
# "## Context of Bad" and "## Context of Good" those of one: "PATH" (a file
# holding "data", or a folder when it ends with /) or "PATH = TEXT" (a file
# holding TEXT, where \n is a line end).
# --regen rewrites the golden files.
. "$(dirname "$0")/lib.sh"

KFLINT=$(dirname "$KFC")/kflint
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/good"
# a build without kfc build has no image discovery: KF221 judges the
# Kubefile's own images only
nobuild=
"$KFC" imagelist --help >/dev/null 2>&1 || nobuild=1
# the first ```kubefile block after the heading $2 in page $1
block() {
	awk -v h="$2" '$0 == h { inh = 1; next } inh && /^```kubefile/ { on = 1; next } on && /^```/ { exit } on { print }' "$1"
}
for code in $("$KFLINT" --list-rules | cut -d' ' -f1); do
	page=$KF_SRCDIR/docs/rules/$code.md
	grep -q "^| $code | " "$KF_SRCDIR/docs/rules/README.md" || not_ok "$code: not in the index docs/rules/README.md"
	if [ ! -f "$page" ]; then not_ok "$code: no page docs/rules/$code.md"; continue; fi
	# a page may give the settings its rule needs
	rm -f "$tmp/.kflint.yaml"
	awk '$0 == "## Settings" { inh = 1; next } inh && /^```yaml/ { on = 1; next } on && /^```/ { exit } on { print }' \
		"$page" >"$tmp/settings"
	[ -s "$tmp/settings" ] && cp "$tmp/settings" "$tmp/.kflint.yaml" # found from bad/ and good/
	block "$page" "## Bad" >"$tmp/bad.kubefile"
	rm -rf "$tmp/good" "$tmp/bad" && mkdir -p "$tmp/good" "$tmp/bad"
	block "$page" "## Good" >"$tmp/good/Kubefile"
	# the build context of both examples: the local:// files the Good one
	# names, each with content of its kind
	for f in $(grep -o 'local://[^ "]*' "$tmp/good/Kubefile" | sed 's|^local://||; s|[],]*$||'); do
		for d in good bad; do
			case $f in
			*/) mkdir -p "$tmp/$d/$f" && printf 'apiVersion: v1\nkind: ConfigMap\n' >"$tmp/$d/${f}app.yaml" ;;
			*.yaml | *.yml) mkdir -p "$tmp/$d/$(dirname "$f")" && printf 'apiVersion: v1\nkind: ConfigMap\n' >"$tmp/$d/$f" ;;
			*.sh) mkdir -p "$tmp/$d/$(dirname "$f")" && printf '#!/bin/sh\necho installed\n' >"$tmp/$d/$f" ;;
			*) mkdir -p "$tmp/$d/$(dirname "$f")" && printf 'data\n' >"$tmp/$d/$f" ;;
			esac
		done
	done
	# and the image lists of IMAGES --file=LIST
	for f in $(grep -o -- '--file=[^ ]*' "$tmp/good/Kubefile" | sed 's|^--file=||'); do
		for d in good bad; do
			mkdir -p "$tmp/$d/$(dirname "$f")" && printf 'nginx:1.25\n' >"$tmp/$d/$f"
		done
	done
	# and the files of a page's "## Context" blocks
	for h in "## Context:good bad" "## Context of Bad:bad" "## Context of Good:good"; do
		awk -v h="${h%%:*}" '$0 == h { inh = 1; next } inh && /^```text/ { on = 1; next } on && /^```/ { exit } on { print }' \
			"$page" | while read -r f; do
			for d in ${h#*:}; do
				case $f in
				*" = "*) mkdir -p "$tmp/$d/$(dirname "${f%% = *}")" && printf '%b' "${f#* = }" >"$tmp/$d/${f%% = *}" ;;
				*/) mkdir -p "$tmp/$d/$f" ;;
				*) mkdir -p "$tmp/$d/$(dirname "$f")" && printf 'data\n' >"$tmp/$d/$f" ;;
				esac
			done
		done
	done
	cp "$tmp/bad.kubefile" "$tmp/bad/Kubefile"
	(cd "$tmp/bad" && "$KFLINT" -f json --no-shellcheck --failure-threshold=none Kubefile) >"$tmp/bad.json"
	if [ "${1:-}" = "--regen" ]; then
		mkdir -p "$KF_TESTDATA/golden/lint"
		cp "$tmp/bad.json" "$KF_TESTDATA/golden/lint/$code.json"
		continue
	fi
	if grep -q "\"code\": \"$code\"" "$tmp/bad.json"; then ok "$code: the Bad example fires it"; else not_ok "$code: the Bad example does not fire it"; fi
	if [ -n "$nobuild" ] && [ "$code" = KF221 ]; then
		ok "$code: the Bad example's findings # SKIP a build without kfc build"
	else
		compare "$KF_TESTDATA/golden/lint/$code.json" "$tmp/bad.json" "$code: the Bad example's findings"
	fi
	(cd "$tmp/good" && "$KFLINT" -f json --no-shellcheck --failure-threshold=style Kubefile) >"$tmp/good.json"
	if [ "$(cat "$tmp/good.json")" = "[]" ]; then ok "$code: the Good example is clean"; else
		not_ok "$code: the Good example has findings"; sed 's/^/# /' "$tmp/good.json" | head -20; fi
done
finish
