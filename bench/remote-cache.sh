#!/usr/bin/env bash
# bench/remote-cache.sh -- kfc build on a fresh machine with and without a
# build cache shared through a registry (issue 21: --cache-to,
# --cache-from), through Debian's docker-registry on 127.0.0.1 (plain HTTP).
#
# The context and the Kubefile are bench/build.sh's (bench/context.py:
# BENCH_MB MiB of mixed files; FROM scratch, COPY . /), built with kfc's
# defaults (gzip, level 6, a thread per CPU).
# Machine A (a store of its own) builds once with
# --cache-to=registry:REG/bench/app:cache,mode=max (timed, once). Then, over
# BENCH_RUNS runs (min, median, max), each with a new, empty store (machine
# B) and a sync before:
#   B cold          kfc build of the context (every step runs: the layer is
#                   compressed)
#   B cache         the same with --cache-from=registry:REG/bench/app:cache
#                   (the layer is hashed, as an uncompressed tar, for its
#                   key, then downloaded; nothing is compressed)
#   floor: curl     curl GET of the cache's layer blobs through the registry
#                   to /dev/null (one connection)
#   floor: tar | sha256sum   reading and hashing the context
#
# Checked: every build prints the same digest (SOURCE_DATE_EPOCH is set);
# the cache builds say CACHED for every step and warn about nothing. A
# failure stops the script (exit 1).
#
# Target (issue 21): B cache / B cold <= 0.10 (medians). The last line is
# "targets met: N/1". See bench/README.md.
#
# Usage: bench/remote-cache.sh [--quick] [--help]
# Environment:
#   KFC          kfc binary (default: <repo>/build/kfc, then ./kfc)
#   BENCH_MB     context size in MiB (default 1024; --quick: 50)
#   BENCH_RUNS   runs of each row (default 3; --quick: 1)
#   BENCH_SEED   seed of the generated context (default 1)
#
# Exit status: 0 when the measurement completed (whether or not the target
# was met), 2 on a usage error, 1 on a real failure (kfc or docker-registry
# missing, a command failing, a wrong digest).
set -euo pipefail
export LC_ALL=C

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/common.sh
. "$script_dir/common.sh"
root=$(cd "$script_dir/.." && pwd)

bench_args "$@"
if (( quick )); then
    bench_mb=${BENCH_MB:-50} runs=${BENCH_RUNS:-1}
else
    bench_mb=${BENCH_MB:-1024} runs=${BENCH_RUNS:-3}
fi
seed=${BENCH_SEED:-1}
for v in bench_mb runs; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "bench/remote-cache.sh: $v (BENCH_*) must be a positive integer" >&2; exit 2; }
done
[[ $seed =~ ^[0-9]+$ ]] || { echo "bench/remote-cache.sh: BENCH_SEED must be a non-negative integer" >&2; exit 2; }

for t in docker-registry curl python3 tar sha256sum; do
    command -v "$t" >/dev/null 2>&1 || die "$t not found"
done
find_kfc
build_help=$("$kfc" build --help 2>/dev/null || true) # read whole: grep -q would close the pipe under pipefail
[[ $build_help == *--cache-from* ]] || die "'$kfc build --help' has no --cache-from: this kfc has no shared cache"

registry_bench_setup remote-cache

ctx=$tmp/context
echo "generating a ${bench_mb} MiB context (seed $seed) ..." >&2
python3 "$script_dir/context.py" "$ctx" "$bench_mb" "$seed" || die "generating the context failed"
nfiles=$(find "$ctx" -type f | wc -l)
ctx_bytes=$(find "$ctx" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
ctx_mb=$(awk -v b="$ctx_bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
kubefile=$tmp/Kubefile
printf 'FROM scratch\nCOPY . /\n' >"$kubefile"

registry_start_http "$tmp/reg" >/dev/null || die "cannot start docker-registry"
reg=$REG_ADDR reg_dir=$REG_DIR reg_url=$REG_URL
ref=$reg/bench/app:cache

watch=("$reg_dir")
reg_ticks() {
    local d n=0 p
    for d in "${watch[@]}"; do
        p=$(head -n 1 "$d/pids")
        n=$(( n + $(awk '{ print $14 + $15 }' "/proc/$p/stat") ))
    done
    echo "$n"
}

build_on() { # STORE [OPTIONS...]
    local store=$1; shift
    KFC_STORE=$store SOURCE_DATE_EPOCH=1700000000 "$kfc" build --progress=plain --tls-verify=false \
        -f "$kubefile" "$@" "$ctx"
}
fresh() { rm -rf -- "$tmp/storeB"; }
b_cold() { fresh; build_on "$tmp/storeB"; }
b_cache() { fresh; build_on "$tmp/storeB" --cache-from="registry:$ref"; }
read_floor() { tar cf - -C "$ctx" . | sha256sum >/dev/null; }

# --- machine A ---------------------------------------------------------------------------
echo "machine A: building and exporting the cache ..." >&2
tar cf - -C "$ctx" . >/dev/null # the page cache, for every row
declare -a t_a=() c_a=() p_a=()
timed a build_on "$tmp/storeA" --cache-to="registry:$ref,mode=max"
want=$(cat "$tmp/out")
[[ $want == sha256:* ]] || die "machine A printed no digest"
# the cache's layers, for the curl floor
man=$(curl -sS -H 'Accept: application/vnd.oci.image.manifest.v1+json' "$reg_url/v2/bench/app/manifests/cache")
mapfile -t layers < <(printf '%s' "$man" | python3 -c '
import json, sys
for l in json.load(sys.stdin)["layers"]:
    print(l["digest"], l["size"])')
curl_args=() cache_bytes=0
for l in "${layers[@]}"; do
    curl_args+=(-o /dev/null "$reg_url/v2/bench/app/blobs/${l%% *}")
    cache_bytes=$(( cache_bytes + ${l##* } ))
done
curl_floor() { curl -sS --fail "${curl_args[@]}"; }

# --- machine B -----------------------------------------------------------------------------
declare -a t_cold=() c_cold=() p_cold=() t_cache=() c_cache=() p_cache=() t_curl=() c_curl=() p_curl=() \
    t_read=() c_read=() p_read=()
echo "timing machine B ($runs runs) ..." >&2
for (( i = 0; i < runs; i++ )); do
    timed cold b_cold
    [[ $(cat "$tmp/out") == "$want" ]] || die "B cold built $(cat "$tmp/out"), A $want"
    timed cache b_cache
    [[ $(cat "$tmp/out") == "$want" ]] || die "B with the cache built $(cat "$tmp/out"), A $want"
    grep '=>' "$tmp/err" | grep -qv CACHED && { sed 's/^/  | /' "$tmp/err" >&2; die "B with the cache executed a step"; }
    grep -q warning "$tmp/err" && { sed 's/^/  | /' "$tmp/err" >&2; die "B with the cache warned"; }
    timed curl curl_floor
    timed read read_floor
done
fresh

# --- report ----------------------------------------------------------------------------------
# stats NAME: "min median max" of t_NAME, in seconds
stats() {
    local -n l=t_$1
    printf '%s\n' "${l[@]}" | sort -n | awk '{ v[NR] = $1 } END {
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.3f %.3f %.3f\n", v[1] / 1e6, m / 1e6, v[NR] / 1e6 }'
}
median() { stats "$1" | cut -d' ' -f2; }
cpu() { # NAME: median CPU seconds of the command, of the registry
    local -n p=p_$1 c=c_$1
    local mid='{ v[NR] = $1 } END { printf "%.2f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) / 1e6 }'
    printf '%s\n' "${p[@]}" | sort -n | awk "$mid"
    printf ' / '
    printf '%s\n' "${c[@]}" | sort -n | awk "$mid"
}
echo "kfc build with a remote cache (issue 21)"
echo "  kfc:      $kfc ($kfc_version)"
echo "  context:  $ctx_mb MiB in $nfiles files (seed $seed); FROM scratch, COPY . /; gzip level 6"
echo "  cache:    $ref, ${#layers[@]} layers, $cache_bytes bytes"
echo "  registry: $(docker-registry --version 2>/dev/null | head -n 1), 127.0.0.1, plain HTTP"
echo "  host:     $(uname -sm), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  runs:     $runs of each B row, a new store each, wall clock; CPU: the command's / the registry's"
echo
row() { printf '%-46s %9s %9s %9s %15s\n' "$@"; }
row "command" "min (s)" "median" "max" "CPU (s)"
row "----------------------------------------------" "---------" "---------" "---------" "---------------"
read -r a _ _ <<<"$(stats a)"
row "A: build + --cache-to (once)" "$a" "" "" "$(cpu a)"
read -r x y z <<<"$(stats cold)";  row "B cold: kfc build" "$x" "$y" "$z" "$(cpu cold)"
read -r x y z <<<"$(stats cache)"; row "B cache: kfc build --cache-from" "$x" "$y" "$z" "$(cpu cache)"
read -r x y z <<<"$(stats curl)";  row "floor: curl of the cache's blobs" "$x" "$y" "$z" "$(cpu curl)"
read -r x y z <<<"$(stats read)";  row "floor: tar | sha256sum of the context" "$x" "$y" "$z" "$(cpu read)"
echo
r=$(awk -v a="$(median cache)" -v b="$(median cold)" 'BEGIN { printf "%.3f", a / b }')
f=$(awk -v a="$(median cache)" -v b="$(median curl)" -v c="$(median read)" 'BEGIN { printf "%.2f", a / (b + c) }')
met=0
awk -v x="$r" 'BEGIN { exit !(x <= 0.10) }' && met=1
echo "B cache / B cold:             $r (target <= 0.10)"
echo "B cache / (curl + read floors): $f"
echo "targets met: $met/1"
