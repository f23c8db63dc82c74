#!/usr/bin/env bash
# bench/parse.sh -- throughput and peak-memory benchmark for `kfc parse`.
#
# Builds a large Kubefile by concatenating the corpus in tests/corpus/kubefile/
# until it reaches BENCH_MB megabytes, then times (best of BENCH_RUNS runs):
#   grep -c FROM big, wc -l big, kfc parse big, kfc parse --dump=buildkit big
# and measures the peak RSS of `kfc parse big`.  See bench/README.md.
#
# Usage: bench/parse.sh [--quick] [--help]
# Environment:
#   KFC             kfc binary (default: <repo>/build/kfc, then ./kfc)
#   BENCH_MB        input size in MB, 1 MB = 2^20 bytes (default 64)
#   BENCH_RUNS      runs per command; the minimum is reported (default 5)
#   BENCH_CALLGRIND set to 1 to also count instructions with valgrind
#                   callgrind over a 2 MB input (needs valgrind)
#
# Exit status: 0 when the measurement completed (whether or not the targets
# were met), 2 on a usage error, 1 on a real failure (kfc missing, kfc or a
# reference tool crashing or exiting with a status above 1).
set -euo pipefail
export LC_ALL=C

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/common.sh
. "$script_dir/common.sh"
root=$(cd "$script_dir/.." && pwd)
corpus="$root/tests/corpus/kubefile"

# check_rc RC MAXOK WHAT: fail unless RC <= MAXOK; 128+N means killed by signal N.
check_rc() {
    local rc=$1 maxok=$2 what=$3
    (( rc <= maxok )) && return 0
    if (( rc > 128 )); then
        die "$what was killed by signal $((rc - 128)) (exit status $rc)"
    fi
    die "$what failed with exit status $rc"
}

bench_args "$@"

quick_note=""
if (( quick )); then
    bench_mb=5
    runs=1
    quick_note=" (--quick)"
else
    bench_mb=${BENCH_MB:-64}
    runs=${BENCH_RUNS:-5}
fi
[[ $bench_mb =~ ^[1-9][0-9]*$ ]] || { echo "bench/parse.sh: BENCH_MB must be a positive integer" >&2; exit 2; }
[[ $runs =~ ^[1-9][0-9]*$ ]]     || { echo "bench/parse.sh: BENCH_RUNS must be a positive integer" >&2; exit 2; }

# --- locate kfc -------------------------------------------------------------
find_kfc

# --- scratch directory ------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kfc-bench.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- input ------------------------------------------------------------------
# One "copy" of the corpus: every Kubefile (not *.tsv, *.md, *.txt), each
# followed by a newline so a file without a trailing newline does not run into
# the next one.
[[ -d $corpus ]] || die "corpus directory missing: $corpus"
# A single cat over "file1 NL file2 NL ..." (NL holds one newline) avoids a
# fork per file.
printf '\n' > "$tmp/nl"
cat_args=()
nfiles=0
for f in "$corpus"/*; do
    [[ -f $f ]] || continue
    case $f in *.tsv|*.md|*.txt) continue ;; esac
    cat_args+=("$f" "$tmp/nl")
    nfiles=$((nfiles + 1))
done
(( nfiles > 0 )) || die "no Kubefiles found in $corpus"
cat -- "${cat_args[@]}" > "$tmp/one"
one_bytes=$(wc -c < "$tmp/one")
(( one_bytes > 0 )) || die "corpus is empty"

# make_input MB FILE: concatenate whole corpus copies until FILE >= MB MiB.
# Prints the number of copies.
make_input() {
    local target=$(( $1 * 1048576 )) out=$2 copies i
    copies=$(( (target + one_bytes - 1) / one_bytes ))
    for (( i = 0; i < copies; i++ )); do cat "$tmp/one"; done > "$out"
    echo "$copies"
}

big="$tmp/big"
copies=$(make_input "$bench_mb" "$big")
big_bytes=$(wc -c < "$big")
(( big_bytes >= bench_mb * 1048576 )) || die "input smaller than expected ($big_bytes bytes)"
big_mb=$(awk -v b="$big_bytes" 'BEGIN { printf "%.2f", b / 1048576 }')

# --- timing -----------------------------------------------------------------

# time_best MAXOK CMD...: run CMD `runs` times with stdout and stderr sent to
# /dev/null, print the best wall time in microseconds.  An exit status above
# MAXOK (including death by a signal, 128+N) is a failure.
time_best() {
    local maxok=$1; shift
    local best=-1 i t0 t1 dt rc
    for (( i = 0; i < runs; i++ )); do
        rc=0
        t0=$(now_us)
        "$@" >/dev/null 2>&1 || rc=$?
        t1=$(now_us)
        check_rc "$rc" "$maxok" "'$*'"
        dt=$(( t1 - t0 ))
        (( dt > 0 )) || dt=1
        if (( best < 0 || dt < best )); then best=$dt; fi
    done
    echo "$best"
}

# Exit status of `kfc parse big`: 1 is expected (the corpus contains broken
# Kubefiles), 0 would also be fine; >1 means usage/I-O error or a crash.
kfc_rc=0
{ "$kfc" parse "$big" >/dev/null 2>&1; } 2>/dev/null || kfc_rc=$?
check_rc "$kfc_rc" 1 "'kfc parse' on the benchmark input"

t_grep=$(time_best 1 grep -c FROM "$big")
t_wc=$(time_best 0 wc -l "$big")
t_parse=$(time_best 1 "$kfc" parse "$big")
t_dump=$(time_best 1 "$kfc" parse --dump=buildkit "$big")

# --- peak memory ------------------------------------------------------------
rss_kb=""
rss_note=""
if [[ -x /usr/bin/time ]] && /usr/bin/time -f %M -o "$tmp/probe" true 2>/dev/null \
        && [[ $(tail -n 1 "$tmp/probe") =~ ^[0-9]+$ ]]; then
    rc=0
    /usr/bin/time -f %M -o "$tmp/rss" "$kfc" parse "$big" >/dev/null 2>&1 || rc=$?
    check_rc "$rc" 1 "'kfc parse' under /usr/bin/time"
    rss_kb=$(tail -n 1 "$tmp/rss")
    [[ $rss_kb =~ ^[0-9]+$ ]] || die "could not read max RSS from /usr/bin/time output"
else
    rss_note="/usr/bin/time (GNU, with -f) not available"
fi

# --- report -----------------------------------------------------------------
secs() { awk -v u="$1" 'BEGIN { printf "%.4f", u / 1e6 }'; }
mbps() { awk -v b="$big_bytes" -v u="$1" 'BEGIN { printf "%.1f", (b / 1048576) / (u / 1e6) }'; }

ratio=$(awk -v g="$t_grep" -v k="$t_parse" 'BEGIN { printf "%.4f", g / k }')
if [[ -n $rss_kb ]]; then
    rss_mb=$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')
    rss_ratio=$(awk -v k="$rss_kb" -v b="$big_bytes" 'BEGIN { printf "%.4f", (k * 1024) / b }')
else
    rss_mb="n/a"
    rss_ratio="n/a"
fi

echo "kfc parse benchmark"
echo "  kfc:    $kfc ($kfc_version)"
echo "  input:  $big_mb MB ($big_bytes bytes; $copies copies of $nfiles corpus files, $one_bytes bytes each)"
echo "  runs:   best of $runs${quick_note}"
echo "  host:   $(uname -sm), $(nproc 2>/dev/null || echo '?') CPUs"
echo "  kfc parse exit status: $kfc_rc (1 expected: the corpus has broken files)"
echo
printf '%-32s %10s %10s\n' "command" "best (s)" "MB/s"
printf '%-32s %10s %10s\n' "--------------------------------" "----------" "----------"
printf '%-32s %10s %10s\n' "grep -c FROM big"              "$(secs "$t_grep")"  "$(mbps "$t_grep")"
printf '%-32s %10s %10s\n' "wc -l big"                     "$(secs "$t_wc")"    "$(mbps "$t_wc")"
printf '%-32s %10s %10s\n' "kfc parse big"                 "$(secs "$t_parse")" "$(mbps "$t_parse")"
printf '%-32s %10s %10s\n' "kfc parse --dump=buildkit big" "$(secs "$t_dump")"  "$(mbps "$t_dump")"
echo
printf '%-32s %10s\n' "input size (MB)"                  "$big_mb"
printf '%-32s %10s\n' "kfc parse / grep throughput"      "$ratio"
printf '%-32s %10s\n' "peak RSS, kfc parse big (MB)"     "$rss_mb"
printf '%-32s %10s\n' "peak RSS / input size"            "$rss_ratio"
[[ -z $rss_note ]] || echo "  note: peak RSS n/a: $rss_note"
echo

echo "throughput ratio vs grep: $ratio (target >= 0.25)"
echo "peak memory / input: $rss_ratio (target < 4)"
met=0 total=2
awk -v r="$ratio" 'BEGIN { exit !(r >= 0.25) }' && met=$((met + 1))
if [[ $rss_ratio == n/a ]]; then
    total=1
else
    awk -v r="$rss_ratio" 'BEGIN { exit !(r < 4) }' && met=$((met + 1))
fi
echo "targets met: $met/$total"

# --- optional: instruction count with callgrind -----------------------------
if [[ ${BENCH_CALLGRIND:-0} == 1 ]]; then
    echo
    if ! command -v valgrind >/dev/null 2>&1; then
        echo "callgrind: skipped (valgrind not installed)"
    else
        small="$tmp/small"
        make_input 2 "$small" >/dev/null
        small_bytes=$(wc -c < "$small")
        rc=0
        valgrind --tool=callgrind --callgrind-out-file="$tmp/callgrind.out" \
            "$kfc" parse "$small" >/dev/null 2>"$tmp/valgrind.log" || rc=$?
        (( rc <= 1 )) || cat "$tmp/valgrind.log" >&2
        check_rc "$rc" 1 "valgrind --tool=callgrind kfc parse"
        ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$tmp/callgrind.out")
        [[ $ir =~ ^[0-9]+$ ]] || die "could not read the instruction count from callgrind output"
        echo "callgrind: kfc parse over $small_bytes bytes"
        echo "  instructions (Ir):  $ir"
        echo "  Ir per input byte:  $(awk -v i="$ir" -v b="$small_bytes" 'BEGIN { printf "%.2f", i / b }')"
    fi
fi
exit 0
