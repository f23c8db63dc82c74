#!/bin/sh
# spdx.sh - every source file of the project (C, the grammar, the lexer)
# starts with its SPDX licence line, /* SPDX-License-Identifier: Apache-2.0 */
# (the licence is LICENSE at the root). Generated files are not checked.
. "$(dirname "$0")/lib.sh"
cd "$KF_SRCDIR" || exit 99
want='/* SPDX-License-Identifier: Apache-2.0 */'
n=0
missing=
for f in $(find src lsp grammar fuzz tests/unit \( -name '*.[ch]' -o -name '*.y' -o -name '*.re' \) | sort); do
	case $f in grammar/kubefile.c | grammar/kubefile.h | grammar/lexer.c) continue ;; esac
	n=$((n + 1))
	[ "$(head -n 1 "$f")" = "$want" ] || missing="$missing $f"
done
if [ -z "$missing" ] && [ "$n" -gt 100 ]; then
	ok "the $n sources start with their SPDX line"
else
	not_ok "sources without the SPDX line on their first line:$missing"
fi
finish
