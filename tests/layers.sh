#!/bin/sh
# layers.sh - the rule of which layer may include which (docs/hacking.md):
# every #include "…" of the sources names a header of a layer that the
# including file's layer may use, and is written from the source root
# ("syntax/ast.h"; the server's, outside src/, as "lsp/methods.h"), or
# names a header of its own folder. Fails with the file, the line and the
# rule broken.
. "$(dirname "$0")/lib.sh"
cd "$KF_SRCDIR" || exit 99

# may LAYER use: the layers it may include (itself included)
may() {
	case $1 in
	base) echo "base" ;;
	syntax) echo "base syntax" ;;
	sema) echo "base syntax sema" ;;
	lint) echo "base syntax sema tmpl discovery lint" ;;
	config) echo "base syntax sema lint config" ;;
	oci) echo "base oci" ;;
	registry) echo "base syntax oci registry" ;;
	tmpl) echo "base syntax tmpl" ;;
	discovery) echo "base syntax sema tmpl discovery" ;;
	build) echo "base syntax sema oci registry tmpl discovery build" ;;
	cli) echo "base syntax sema lint config oci registry tmpl discovery build cli" ;;
	lsp) echo "base syntax sema lint config lsp" ;;
	grammar) echo "base syntax" ;;
	fuzz | unit) echo "base syntax sema lint config oci registry tmpl discovery build lsp" ;;
	esac
}

T_LAYERS=$(mktemp)
bad=0
checked=0
for f in $(find src lsp grammar fuzz tests/unit -name '*.[ch]' -o -name '*.y' -o -name '*.re' | sort); do
	case $f in
	grammar/kubefile.c | grammar/kubefile.h | grammar/lexer.c) continue ;; # generated
	src/*/rules/*) layer=lint ;;
	src/*) layer=$(echo "$f" | cut -d/ -f2) ;;
	lsp/*) layer=lsp ;;
	grammar/*) layer=grammar ;;
	fuzz/*) layer=fuzz ;;
	tests/unit/*) layer=unit ;;
	esac
	allowed=$(may "$layer")
	[ -n "$allowed" ] || { not_ok "$f: a file outside every layer"; bad=1; continue; }
	dir=$(dirname "$f")
	grep -n '^#include "' "$f" | while IFS= read -r line; do
		n=${line%%:*}
		h=$(echo "$line" | sed 's/.*#include "\([^"]*\)".*/\1/')
		case $h in
		config.h | kubefile.h | lex.h | lexer.c) continue ;; # autoconf's, the generated parser's
		esac
		[ -f "$dir/$h" ] && [ "${h#*/}" = "$h" ] && continue # a header of its own folder
		case $layer in fuzz) [ -f "lsp/$h" ] && continue ;; esac # the server's, for its fuzz target
		to=${h%%/*}
		[ -f "src/$h" ] || { [ "$to" = lsp ] && [ -f "$h" ]; } || to=
		if [ "$to" = "$h" ] || [ -z "$to" ]; then
			echo "$f:$n: #include \"$h\": write headers from the source root (\"syntax/ast.h\")"
			continue
		fi
		case " $allowed " in
		*" $to "*) ;;
		*) echo "$f:$n: #include \"$h\": $layer may not use $to (it may use: $allowed)" ;;
		esac
	done >>"$T_LAYERS"
	checked=$((checked + 1))
done
if [ -s "$T_LAYERS" ]; then
	not_ok "every include follows the layers ($checked files)"
	sed 's/^/# /' "$T_LAYERS"
else
	ok "every include follows the layers ($checked files)"
fi
rm -f "$T_LAYERS"
finish
