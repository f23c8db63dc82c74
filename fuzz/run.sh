#!/bin/sh
# Builds the libFuzzer targets (fuzz/fuzz_NAME.c) with clang, ASan and UBSan
# against the project's library, then runs them.
#
#   fuzz/run.sh [-t SECONDS] [--quick] [--merge] [NAME...]
#
#   NAME        the targets to run (default: every fuzz/fuzz_*.c)
#   -t SECONDS  how long each target runs (default 60)
#   --quick     CI's mode: each target 15 s from its committed corpus
#   --merge     afterwards, fold what the run found into fuzz/corpus/NAME
#               (libFuzzer's -merge=1 keeps only inputs that add coverage)
#
# Seeds come from fuzz/corpus/NAME/ (committed) and, for the parser and the
# formatter, from the test corpora and goldens; the run works in
# build-fuzz/work/NAME/ so the committed corpus changes only with --merge.
# Crashes are written to fuzz/out/NAME/, and the run fails on the first one. A target names extra sources outside
# the library in a line "fuzz-sources: FILE..." of its comment.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
secs=60
merge=
targets=
while [ $# -gt 0 ]; do
	case $1 in
	-t) secs=$2; shift 2 ;;
	--quick) secs=15; shift ;;
	--merge) merge=1; shift ;;
	-*) echo "usage: fuzz/run.sh [-t SECONDS] [--quick] [--merge] [NAME...]" >&2; exit 2 ;;
	*) targets="$targets $1"; shift ;;
	esac
done
[ -n "$targets" ] || targets=$(cd "$top/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')
build=${FUZZ_BUILD:-$top/build-fuzz}
san="-fsanitize=address,undefined -fno-sanitize-recover=all"

# the library, built once by clang with coverage for libFuzzer
mkdir -p "$build"
if [ ! -f "$build/Makefile" ]; then
	[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi >/dev/null 2>&1)
	(cd "$build" && "$top/configure" --quiet CC=clang \
		CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $san")
fi
libs=
for l in build discovery tmpl registry oci config lint discovery tmpl sema syntax gen syntax base; do libs="$libs $build/libkf$l.a"; done
# shellcheck disable=SC2086
make -s -C "$build" -j2 $(for l in base syntax gen sema lint config oci registry tmpl discovery build; do echo libkf$l.a; done)
deps=$(pkg-config --libs jansson yaml-0.1 libarchive libcrypto libcurl libpcre2-8)

status=0
for t in $targets; do
	src=$top/fuzz/fuzz_$t.c
	[ -f "$src" ] || { echo "fuzz/run.sh: no target $t ($src)" >&2; exit 2; }
	extra=$(sed -n 's/.*fuzz-sources: *//p' "$src" | head -1)
	extra_paths=
	for e in $extra; do extra_paths="$extra_paths $top/$e"; done
	# shellcheck disable=SC2086
	clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer $san \
		-I"$top/src" -I"$top/grammar" -I"$top" -I"$top/lsp" -I"$build" -I"$build/grammar" \
		"$src" $extra_paths $libs $deps -lpthread -o "$build/fuzz_$t"
	work=$build/work/$t
	mkdir -p "$work" "$top/fuzz/corpus/$t" "$top/fuzz/out/$t"
	if [ "$t" = parse ] || [ "$t" = fmt ]; then
		cp "$top"/tests/corpus/kubefile/*__* "$work/" 2>/dev/null || true
		for d in "$top"/tests/corpus/buildkit/*/ "$top"/tests/corpus/buildkit/negative/*/; do
			[ -f "$d/Dockerfile" ] && cp "$d/Dockerfile" "$work/bk-$(basename "$d")"
		done
		cp "$top"/tests/golden/parse/*.kubefile "$work/"
		for f in "$top"/tests/golden/fmt/*.kubefile; do cp "$f" "$work/fmt-$(basename "$f")"; done
	fi
	dict=
	[ -f "$top/fuzz/$t.dict" ] && dict="-dict=$top/fuzz/$t.dict"
	echo "== fuzz_$t: $secs s"
	# shellcheck disable=SC2086
	if ! (cd "$top/fuzz/out/$t" && "$build/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 $dict "$work" "$top/fuzz/corpus/$t" 2>"$build/fuzz_$t.log"); then
		status=1
		tail -60 "$build/fuzz_$t.log"
		echo "fuzz_$t: FAILED (crash input in fuzz/out/$t/)"
		continue
	fi
	grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^Done' "$build/fuzz_$t.log" | tr '\n' ' '
	echo
	if [ -n "$merge" ]; then
		mkdir -p "$build/merged/$t"
		rm -f "$build/merged/$t"/*
		"$build/fuzz_$t" -merge=1 -timeout=10 "$build/merged/$t" "$top/fuzz/corpus/$t" "$work" \
			>"$build/fuzz_$t.merge.log" 2>&1
		rm -f "$top/fuzz/corpus/$t"/*
		cp "$build/merged/$t"/* "$top/fuzz/corpus/$t/" 2>/dev/null || true
		echo "fuzz_$t: fuzz/corpus/$t holds $(ls "$top/fuzz/corpus/$t" | wc -l) inputs"
	fi
done
exit $status
