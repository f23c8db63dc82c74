#!/usr/bin/env bash
# bench/build.sh -- `kfc build` of a large context beside shell pipelines that
# do the same work: read the files, compress, hash.
#
# Generates (seeded, so every run has the same bytes) a build context of
# BENCH_MB MiB in many files of mixed sizes and compressibility, and a
# Kubefile outside it (FROM scratch, COPY . /). Times, best of BENCH_RUNS:
#   (a) kfc build --compression=gzip --compression-level=1
#       beside  tar cf - CONTEXT | gzip -1 | tee >(sha256sum) | sha256sum
#   (b) kfc build --compression=zstd --compression-level=3
#       beside  tar cf - CONTEXT | zstd -3 -T2 | tee >(sha256sum) | sha256sum
#   (c) kfc build again, nothing changed (the cache)
#       beside  tar cf - CONTEXT | sha256sum   (reading and hashing the context)
# plus single-core gzip -1 and zstd -3 over the context's tar, the
# compression floor. Prints wall times, MB/s, ratios and kfc's peak RSS.
# See bench/README.md.
#
# Usage: bench/build.sh [--quick] [--help]
# Environment:
#   KFC               kfc binary (default: <repo>/build/kfc, then ./kfc)
#   BENCH_MB          context size in MiB (default 1024; --quick: 50)
#   BENCH_RUNS        runs per command, the minimum is reported (default 3;
#                     --quick: 1)
#   BENCH_SEED        seed of the generated context (default 1)
#   BENCH_PEERS_ONLY  1: time only the pipelines (no kfc needed)
#   BENCH_VERIFY      0: do not check kfc's images with tests/oci-verify.py
#
# Exit status: 0 when the measurement completed (whether or not the targets
# were met), 2 on a usage error, 1 on a real failure (kfc missing, a build or
# a pipeline failing, an image that oci-verify.py rejects).
set -euo pipefail
export LC_ALL=C

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/common.sh
. "$script_dir/common.sh"
root=$(cd "$script_dir/.." && pwd)

bench_args "$@"
if (( quick )); then
    bench_mb=${BENCH_MB:-50}
    runs=1
else
    bench_mb=${BENCH_MB:-1024}
    runs=${BENCH_RUNS:-3}
fi
seed=${BENCH_SEED:-1}
peers_only=${BENCH_PEERS_ONLY:-0}
verify=${BENCH_VERIFY:-1}
[[ $bench_mb =~ ^[1-9][0-9]*$ ]] || { echo "bench/build.sh: BENCH_MB must be a positive integer" >&2; exit 2; }
[[ $runs =~ ^[1-9][0-9]*$ ]]     || { echo "bench/build.sh: BENCH_RUNS must be a positive integer" >&2; exit 2; }
[[ $seed =~ ^[0-9]+$ ]]          || { echo "bench/build.sh: BENCH_SEED must be a non-negative integer" >&2; exit 2; }

for t in tar gzip zstd sha256sum tee python3; do
    command -v "$t" >/dev/null 2>&1 || die "$t not found"
done
if [[ $peers_only != 1 ]]; then
    find_kfc
    "$kfc" build --help >/dev/null 2>&1 ||
        die "'$kfc build --help' failed: this kfc has no build command (BENCH_PEERS_ONLY=1 times the pipelines alone)"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kfc-bench-build.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the context --------------------------------------------------------------
# Kinds of content, by share of the bytes:
#   text    log/source-like lines from a seeded vocabulary (gzip -1: ~3x)
#   binary  skewed bytes, half of them zero, like executables (~1.6x)
#   random  incompressible, like archives and images already compressed
# and of files: many small ones (100 B - 16 KiB, about a quarter of the
# bytes), medium ones (64 KiB - 4 MiB), and three large ones (1/8 of the
# context each, one of each kind), in directories of up to 64 entries.
ctx=$tmp/context
echo "generating a ${bench_mb} MiB context (seed $seed) ..." >&2
python3 "$script_dir/context.py" "$ctx" "$bench_mb" "$seed" || die "generating the context failed"
nfiles=$(find "$ctx" -type f | wc -l)
ctx_bytes=$(find "$ctx" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
ctx_mb=$(awk -v b="$ctx_bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
kubefile=$tmp/Kubefile
printf 'FROM scratch\nCOPY . /\n' >"$kubefile"

# --- measuring ------------------------------------------------------------------
have_time=0
[[ -x /usr/bin/time ]] && /usr/bin/time -f %M true >/dev/null 2>&1 && have_time=1

# measure NAME CMD...: runs CMD once (stdout and stderr to $tmp/NAME.log);
# sets wall_us and rss_kb. The peak RSS is measured for a program (not for a
# shell function): GNU time, else the VmHWM of the process polled from /proc
# (which misses children). Dies when CMD fails.
measure() {
    local name=$1; shift
    local t0 t1 rc=0 log=$tmp/${name// /_}.log rss=0
    rss_kb=0
    [[ $(type -t "$1") == file ]] && rss=1
    t0=$(now_us)
    if (( ! rss )); then
        "$@" >"$log" 2>&1 || rc=$?
    elif (( have_time )); then
        /usr/bin/time -f '%M' -o "$log.rss" "$@" >"$log" 2>&1 || rc=$?
    else
        "$@" >"$log" 2>&1 &
        local pid=$! hwm
        while kill -0 "$pid" 2>/dev/null; do
            hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
            [[ -n $hwm ]] && (( hwm > rss_kb )) && rss_kb=$hwm
            sleep 0.05
        done
        wait "$pid" || rc=$?
    fi
    t1=$(now_us)
    if (( rc != 0 )); then
        sed 's/^/  | /' "$log" | tail -20 >&2
        rc_die "$rc" "$name ($*)"
    fi
    if (( rss && have_time )); then
        rss_kb=$(tail -n 1 "$log.rss")
    fi
    wall_us=$(( t1 - t0 ))
    (( wall_us > 0 )) || wall_us=1
}

# best NAME SETUP CMD...: BENCH_RUNS runs of measure, SETUP (a function name,
# or :) before each; sets best_us and best_rss (of the fastest run).
best() {
    local name=$1 setup=$2 i; shift 2
    best_us=-1 best_rss=0
    for (( i = 0; i < runs; i++ )); do
        "$setup"
        measure "$name" "$@"
        if (( best_us < 0 || wall_us < best_us )); then best_us=$wall_us best_rss=$rss_kb; fi
    done
}

# The pipelines, as bash runs them. The tee stage waits for its process
# substitution, so the time includes both sha256sums.
pipe_gzip() {
    tar cf - -C "$ctx" . | gzip -1 | { tee >(sha256sum >"$tmp/h1"); wait $!; } | sha256sum >"$tmp/h2"
}
pipe_zstd() {
    tar cf - -C "$ctx" . | zstd -q -3 -T2 | { tee >(sha256sum >"$tmp/h1"); wait $!; } | sha256sum >"$tmp/h2"
}
pipe_read() { tar cf - -C "$ctx" . | sha256sum >"$tmp/h2"; }

# kfc builds: a cold build has a store of its own (KFC_STORE) and a new
# output; the rebuild reuses the gzip build's store and output directory.
# kfc_build STORE OUT COMPRESSION LEVEL: sets build (the command, as words).
kfc_build() {
    build=(env "KFC_STORE=$1" "$kfc" build --progress=plain -f "$kubefile" -o "oci:$2"
           --compression="$3" --compression-level="$4" "$ctx")
}
cold_gzip() { rm -rf -- "$tmp/store-gzip" "$tmp/out-gzip"; }
cold_zstd() { rm -rf -- "$tmp/store-zstd" "$tmp/out-zstd"; }

mbps() { awk -v b="$ctx_bytes" -v us="$1" 'BEGIN { printf "%.1f", b / 1048576 / (us / 1e6) }'; }
secs() { awk -v us="$1" 'BEGIN { printf "%.3f", us / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
rss_mb() { awk -v k="$1" 'BEGIN { if (k > 0) printf "%.1f", k / 1024; else printf "n/a" }'; }

# --- runs -------------------------------------------------------------------------
echo "timing (best of $runs) ..." >&2
# The first read warms the page cache for every row.
pipe_read
best "tar | sha256sum" : pipe_read;                 t_read=$best_us
best "tar | gzip -1 | sha256 x2" : pipe_gzip;       t_pgzip=$best_us
best "tar | zstd -3 -T2 | sha256 x2" : pipe_zstd;   t_pzstd=$best_us

# The floor: one core, the whole context's tar from the page cache.
tar cf "$tmp/context.tar" -C "$ctx" .
gz_floor() { gzip -1 <"$tmp/context.tar" | wc -c >"$tmp/gz.size"; }
zs_floor() { zstd -q -3 -T1 <"$tmp/context.tar" | wc -c >"$tmp/zs.size"; }
best "gzip -1, one core" : gz_floor;   t_gz1=$best_us
best "zstd -3, one core" : zs_floor;   t_zs1=$best_us
gz_size=$(cat "$tmp/gz.size") zs_size=$(cat "$tmp/zs.size") tar_size=$(stat -c %s "$tmp/context.tar")
rm -f -- "$tmp/context.tar"

if [[ $peers_only != 1 ]]; then
    kfc_build "$tmp/store-gzip" "$tmp/out-gzip" gzip 1
    best "kfc build gzip -1" cold_gzip "${build[@]}"
    t_kgzip=$best_us r_kgzip=$best_rss
    kfc_build "$tmp/store-zstd" "$tmp/out-zstd" zstd 3
    best "kfc build zstd -3" cold_zstd "${build[@]}"
    t_kzstd=$best_us r_kzstd=$best_rss
    kfc_build "$tmp/store-gzip" "$tmp/out-gzip" gzip 1
    best "kfc build again" : "${build[@]}"
    t_kre=$best_us r_kre=$best_rss
    if [[ $verify == 1 ]]; then
        for o in gzip zstd; do
            py=python3
            [[ -x /usr/bin/python3 ]] && py=/usr/bin/python3
            "$py" "$root/tests/oci-verify.py" "$tmp/out-$o" >"$tmp/verify-$o.log" 2>&1 ||
                { sed 's/^/  | /' "$tmp/verify-$o.log" | head -20 >&2; die "oci-verify.py rejects kfc's $o image"; }
        done
    fi
    k_gzip_size=$(find "$tmp/out-gzip/blobs" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
    k_zstd_size=$(find "$tmp/out-zstd/blobs" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
fi

# --- report -------------------------------------------------------------------------
echo "kfc build benchmark"
if [[ $peers_only == 1 ]]; then
    echo "  kfc:     not run (BENCH_PEERS_ONLY=1)"
else
    echo "  kfc:     $kfc ($kfc_version)"
fi
echo "  context: $ctx_mb MiB in $nfiles files (seed $seed); its tar: $tar_size bytes"
echo "  runs:    best of $runs, wall clock"
echo "  host:    $(uname -sm), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  rss:     $( (( have_time )) && echo '/usr/bin/time %M' || echo 'VmHWM from /proc (main process)')"
echo
row() { printf '%-44s %9s %9s %10s\n' "$@"; }
row "command" "best (s)" "MB/s" "peak RSS"
row "--------------------------------------------" "---------" "---------" "----------"
row "tar | sha256sum (read + hash floor)" "$(secs "$t_read")" "$(mbps "$t_read")" ""
row "tar | gzip -1 | tee >(sha256sum) | sha256sum" "$(secs "$t_pgzip")" "$(mbps "$t_pgzip")" ""
row "tar | zstd -3 -T2 | tee >(...) | sha256sum" "$(secs "$t_pzstd")" "$(mbps "$t_pzstd")" ""
if [[ $peers_only != 1 ]]; then
    row "kfc build --compression=gzip (level 1)" "$(secs "$t_kgzip")" "$(mbps "$t_kgzip")" "$(rss_mb "$r_kgzip") MB"
    row "kfc build --compression=zstd (level 3)" "$(secs "$t_kzstd")" "$(mbps "$t_kzstd")" "$(rss_mb "$r_kzstd") MB"
    row "kfc build, unchanged rebuild" "$(secs "$t_kre")" "$(mbps "$t_kre")" "$(rss_mb "$r_kre") MB"
fi
echo
printf 'compression floor, one core: gzip -1 %s MB/s (%s, ratio %s), zstd -3 %s MB/s (%s, ratio %s)\n' \
    "$(mbps "$t_gz1")" "$gz_size bytes" "$(ratio "$tar_size" "$gz_size")" \
    "$(mbps "$t_zs1")" "$zs_size bytes" "$(ratio "$tar_size" "$zs_size")"
if [[ $peers_only != 1 ]]; then
    met=0
    a=$(ratio "$t_kgzip" "$t_pgzip") b=$(ratio "$t_kzstd" "$t_pzstd") c=$(ratio "$t_kre" "$t_kgzip") d=$(ratio "$t_kre" "$t_read")
    awk -v x="$a" 'BEGIN { exit !(x <= 1) }' && met=$((met + 1))
    awk -v x="$b" 'BEGIN { exit !(x <= 1) }' && met=$((met + 1))
    awk -v x="$c" 'BEGIN { exit !(x <= 0.05) }' && met=$((met + 1))
    echo "image sizes (all blobs): gzip $k_gzip_size bytes, zstd $k_zstd_size bytes"
    echo "kfc gzip / pipeline:        $a (target <= 1)"
    echo "kfc zstd / pipeline:        $b (target <= 1)"
    echo "rebuild / cold gzip build:  $c (target <= 0.05)"
    echo "rebuild / tar | sha256sum:  $d"
    echo "targets met: $met/3"
fi
