#!/bin/sh
# Builds the parser fuzz target with clang (libFuzzer, ASan, UBSan) and runs
# it for SECONDS (default 60), starting from the Kubefile and BuildKit
# corpora. Crashes are written to fuzz/out/.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
build=${FUZZ_BUILD:-$top/build-fuzz}
mkdir -p "$build/grammar" "$build/corpus" "$top/fuzz/out"
re2c -c -W --no-generation-date --no-version -o "$build/grammar/lexer.c" "$top/grammar/lexer.re"
bison -Wall -Werror --header="$build/grammar/kubefile.h" -o "$build/grammar/kubefile.c" "$top/grammar/kubefile.y"
printf '#define PACKAGE_VERSION "fuzz"\n' >"$build/config.h"
clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I"$top/src" -I"$build/grammar" -I"$top/grammar" -I"$build" \
	"$top"/src/arena.c "$top"/src/buf.c "$top"/src/source.c "$top"/src/diag.c "$top"/src/suggest.c \
	"$top"/src/ast.c "$top"/src/parse.c "$top"/src/dump.c "$top"/src/jsonutil.c "$top"/src/format.c \
	"$build/grammar/lexer.c" "$build/grammar/kubefile.c" "$top/fuzz/fuzz_parse.c" \
	-ljansson -o "$build/fuzz_parse"
cp "$top"/tests/corpus/kubefile/*__* "$build/corpus/" 2>/dev/null || true
for d in "$top"/tests/corpus/buildkit/*/ "$top"/tests/corpus/buildkit/negative/*/; do
	[ -f "$d/Dockerfile" ] && cp "$d/Dockerfile" "$build/corpus/bk-$(basename "$d")"
done
cp "$top"/tests/golden/parse/*.kubefile "$build/corpus/"
cd "$top/fuzz/out"
"$build/fuzz_parse" -max_total_time="$secs" -max_len=4096 -timeout=5 "$build/corpus"
