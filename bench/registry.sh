#!/usr/bin/env bash
# bench/registry.sh -- kfc's registry client (kfc push, kfc pull) beside
# skopeo, through Debian's docker-registry on 127.0.0.1 (plain HTTP).
#
# Builds an image of BENCH_MB MiB in BENCH_LAYERS layers of random bytes
# (kfc build --compression=none, so hashing and I/O dominate, not
# compression) into a private KFC_STORE and an OCI layout, then times, over
# BENCH_RUNS runs (min and median):
#   push cold  kfc push bench/big:v1 REG/kfcN:v1, into a new, empty registry
#              beside  skopeo copy --preserve-digests oci:LAYOUT:v1
#                      docker://REG/skoN:v1, into another new registry
#   push warm  the same commands again, to the same repository (every blob
#              is there)
#   pull cold  kfc pull -q into a new KFC_STORE
#              beside  skopeo copy docker://REG/... oci:NEWDIR:v1
#   pull warm  kfc pull -q into the store that has it all; skopeo copy into
#              the layout that has it all
# and floors: cat of the image's blobs into sha256sum and into openssl dgst
# -sha256 (read + hash; kfc hashes with libcrypto, which uses the CPU's SHA
# instructions where coreutils does not), and curl GET of the biggest blob
# through the registry to /dev/null. Every timed command is preceded by a
# sync (outside the timing), so the previous run's writeback does not land
# on it.
#
# Every transfer is checked: the digest kfc push and kfc pull print, the
# digest skopeo reads back from the registry (skopeo inspect --raw) after
# each push, and the manifest digest of each layout skopeo writes must all be
# the layout's manifest digest. A mismatch stops the script (exit 1).
#
# Targets (issue 16): skopeo / kfc >= 1.5 for push cold and pull cold
# (medians), kfc push warm and kfc pull warm under 0.2 s (medians). The last
# line is "targets met: N/4". See bench/README.md.
#
# Usage: bench/registry.sh [--quick] [--help]
# Environment:
#   KFC           kfc binary (default: <repo>/build/kfc, then ./kfc)
#   BENCH_MB      image size in MiB (default 500; --quick: 60)
#   BENCH_LAYERS  number of layers (default 8)
#   BENCH_RUNS    runs of each command (default 5; --quick: 3)
#
# Exit status: 0 when the measurement completed (whether or not the targets
# were met), 2 on a usage error, 1 on a real failure (kfc, skopeo or
# docker-registry missing, a transfer failing or giving the wrong digest).
set -euo pipefail
export LC_ALL=C

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/common.sh
. "$script_dir/common.sh"
root=$(cd "$script_dir/.." && pwd)

bench_args "$@"
if (( quick )); then
    bench_mb=${BENCH_MB:-60}
    runs=${BENCH_RUNS:-3}
else
    bench_mb=${BENCH_MB:-500}
    runs=${BENCH_RUNS:-5}
fi
nlayers=${BENCH_LAYERS:-8}
[[ $bench_mb =~ ^[1-9][0-9]*$ ]] || { echo "bench/registry.sh: BENCH_MB must be a positive integer" >&2; exit 2; }
[[ $runs =~ ^[1-9][0-9]*$ ]]     || { echo "bench/registry.sh: BENCH_RUNS must be a positive integer" >&2; exit 2; }
[[ $nlayers =~ ^[1-9][0-9]*$ ]]  || { echo "bench/registry.sh: BENCH_LAYERS must be a positive integer" >&2; exit 2; }

for t in skopeo docker-registry curl sha256sum python3; do
    command -v "$t" >/dev/null 2>&1 || die "$t not found"
done
have_openssl=0
command -v openssl >/dev/null 2>&1 && have_openssl=1
find_kfc
"$kfc" push --help >/dev/null 2>&1 || die "'$kfc push --help' failed: this kfc has no push command"
"$kfc" pull --help >/dev/null 2>&1 || die "'$kfc pull --help' failed: this kfc has no pull command"
skopeo_version=$(skopeo --version 2>/dev/null | head -n 1)

registry_bench_setup registry

# --- the image -----------------------------------------------------------------
ctx=$tmp/context
mkdir -p "$ctx"
layer_kib=$(( bench_mb * 1024 / nlayers ))
(( layer_kib > 0 )) || die "BENCH_MB / BENCH_LAYERS is under 1 KiB"
echo "generating $nlayers layers of $layer_kib KiB of random bytes ..." >&2
printf 'FROM scratch\n' >"$tmp/Kubefile"
for (( i = 1; i <= nlayers; i++ )); do
    head -c "$(( layer_kib * 1024 ))" /dev/urandom >"$ctx/layer$i.bin"
    printf 'COPY layer%d.bin /data/layer%d.bin\n' "$i" "$i" >>"$tmp/Kubefile"
done
layout=$tmp/layout
export KFC_STORE=$tmp/store
built=$("$kfc" build --progress=quiet --compression=none -f "$tmp/Kubefile" -o "oci:$layout:v1" -t bench/big:v1 "$ctx" \
    2>"$tmp/build.log") || { sed 's/^/  | /' "$tmp/build.log" >&2; die "kfc build of the image failed"; }
rm -rf -- "$ctx"
want=$(oci_digest "$layout" v1) || die "no manifest v1 in the layout kfc wrote"
[[ $built == "$want" ]] || die "kfc build printed $built, the layout's manifest is $want"

# The manifest's blobs: their count, their total size (the bytes a transfer
# moves, the manifest aside), and the biggest one.
read -r nblobs img_bytes big_digest big_bytes < <("$OCI_PYTHON" - "$layout" "$want" <<'EOF'
import json, os, sys
layout, digest = sys.argv[1:3]
m = json.load(open(os.path.join(layout, "blobs", "sha256", digest.split(":")[1])))
blobs = [m["config"]] + m["layers"]
big = max(blobs, key=lambda b: b["size"])
print(len(blobs), sum(b["size"] for b in blobs), big["digest"], big["size"])
EOF
) || die "cannot read the layout's manifest"
blob_files=()
while read -r d; do blob_files+=("$layout/blobs/sha256/${d#sha256:}"); done < <("$OCI_PYTHON" - "$layout" "$want" <<'EOF'
import json, os, sys
layout, digest = sys.argv[1:3]
m = json.load(open(os.path.join(layout, "blobs", "sha256", digest.split(":")[1])))
for b in [m["config"]] + m["layers"]:
    print(b["digest"])
EOF
)
img_mb=$(awk -v b="$img_bytes" 'BEGIN { printf "%.1f", b / 1048576 }')

# --- measuring -------------------------------------------------------------------
# reg_ticks: the CPU time (user + system, in clock ticks) of the registry
# $REG_DIR names so far.
reg_ticks() { awk '{ print $14 + $15 }' "/proc/$(head -n 1 "$REG_DIR/pids")/stat"; }



# check_digest WHAT GOT: GOT must be the layout's manifest digest.
check_digest() {
    [[ $2 == "$want" ]] || die "$1: digest '$2', expected $want (a broken transfer: nothing measured is valid)"
}
# check_registry WHAT REF: skopeo reads REF from the registry with the
# layout's manifest digest.
check_registry() {
    local raw
    raw=$(oci_skopeo inspect --tls-verify=false --raw "docker://$2" 2>"$tmp/inspect.err" | sha256sum | cut -d' ' -f1)
    [[ -n $raw ]] || { sed 's/^/  | /' "$tmp/inspect.err" >&2; die "$1: skopeo inspect --raw docker://$2 failed"; }
    check_digest "$1 (skopeo inspect --raw docker://$2)" "sha256:$raw"
}

kfc_push() { "$kfc" push --tls-verify=false bench/big:v1 "$1"; }
sko_push() { oci_skopeo copy --quiet --preserve-digests --dest-tls-verify=false "oci:$layout:v1" "docker://$1"; }
kfc_pull() { KFC_STORE=$1 "$kfc" pull -q --tls-verify=false "$2"; }
sko_pull() { oci_skopeo copy --quiet --preserve-digests --src-tls-verify=false "docker://$2" "oci:$1:v1"; }
hash_floor() { cat -- "${blob_files[@]}" | sha256sum >"$tmp/floor.sum"; }
ossl_floor() { cat -- "${blob_files[@]}" | openssl dgst -sha256 >"$tmp/floor.ossl"; }
curl_floor() { curl -sS --fail -o /dev/null "$REG_URL/v2/kfc$runs/blobs/$big_digest"; }

# kfc push's summary line must say how many blobs it uploaded.
check_pushed() {
    grep -q "^pushed $2: $3 blobs\? uploaded" "$tmp/err" ||
        { sed 's/^/  | /' "$tmp/err" >&2; die "$1: kfc push did not say '$3 blobs uploaded'"; }
}

for n in kpush spush kpushw spushw kpull spull kpullw spullw hash ossl curl; do
    declare -a "t_$n=()" "c_$n=()" "p_$n=()"
done

echo "timing (${runs} runs each) ..." >&2
# push cold: a new registry for every push, so no blob is there (and skopeo
# cannot mount one from an earlier repository); the last ones stay for the
# warm pushes and the pulls.
for (( i = 1; i <= runs; i++ )); do
    registry_start_http "$tmp/reg-kfc$i" >/dev/null || die "cannot start docker-registry"
    kreg=$REG_DIR kaddr=$REG_ADDR
    timed kpush kfc_push "$kaddr/kfc$i:v1"
    check_digest "kfc push (run $i)" "$(cat "$tmp/out")"
    check_pushed "kfc push (run $i)" "$kaddr/kfc$i:v1" "$nblobs"
    check_registry "kfc push (run $i)" "$kaddr/kfc$i:v1"

    registry_start_http "$tmp/reg-sko$i" >/dev/null || die "cannot start docker-registry"
    sreg=$REG_DIR saddr=$REG_ADDR
    timed spush sko_push "$saddr/sko$i:v1"
    check_registry "skopeo push (run $i)" "$saddr/sko$i:v1"
    if (( i < runs )); then
        registry_stop_dir "$kreg" && rm -rf -- "$kreg"
        registry_stop_dir "$sreg" && rm -rf -- "$sreg"
    fi
done
kref=$kaddr/kfc$runs:v1 sref=$saddr/sko$runs:v1

# push warm: the same pushes again.
for (( i = 1; i <= runs; i++ )); do
    # shellcheck source=/dev/null
    . "$kreg/env"
    timed kpushw kfc_push "$kref"
    check_digest "kfc push warm (run $i)" "$(cat "$tmp/out")"
    check_pushed "kfc push warm (run $i)" "$kref" 0
    # shellcheck source=/dev/null
    . "$sreg/env"
    timed spushw sko_push "$sref"
done
check_registry "skopeo push warm" "$sref"

# pull cold: both from the repository kfc pushed, into a new store / layout.
# shellcheck source=/dev/null
. "$kreg/env"
for (( i = 1; i <= runs; i++ )); do
    rm -rf -- "$tmp/pull-store" "$tmp/pull-layout"
    timed kpull kfc_pull "$tmp/pull-store" "$kref"
    check_digest "kfc pull (run $i)" "$(cat "$tmp/out")"
    timed spull sko_pull "$tmp/pull-layout" "$kref"
    check_digest "skopeo pull (run $i): the layout it wrote" "$(oci_digest "$tmp/pull-layout" v1)"
done

# pull warm: into the store / layout that has it all.
for (( i = 1; i <= runs; i++ )); do
    timed kpullw kfc_pull "$tmp/pull-store" "$kref"
    check_digest "kfc pull warm (run $i)" "$(cat "$tmp/out")"
    timed spullw sko_pull "$tmp/pull-layout" "$kref"
done
check_digest "skopeo pull warm: the layout" "$(oci_digest "$tmp/pull-layout" v1)"
rm -rf -- "$tmp/pull-store" "$tmp/pull-layout"

# floors: the layout's blobs (in the page cache) read and hashed; the
# biggest blob through the registry kfc pushed to.
for (( i = 1; i <= runs; i++ )); do
    timed hash hash_floor
    (( have_openssl )) && timed ossl ossl_floor
    timed curl curl_floor
done

# --- report ------------------------------------------------------------------------
# stats ARRAY: sets s_min and s_med (microseconds) of the array named ARRAY.
stats() {
    local -n stats_list=$1
    local sorted n
    mapfile -t sorted < <(printf '%s\n' "${stats_list[@]}" | sort -n)
    n=${#sorted[@]}
    s_min=${sorted[0]}
    if (( n % 2 )); then s_med=${sorted[n / 2]}; else s_med=$(( (sorted[n / 2 - 1] + sorted[n / 2]) / 2 )); fi
}
secs() { awk -v us="$1" 'BEGIN { printf "%.3f", us / 1e6 }'; }
mbps() { awk -v b="$1" -v us="$2" 'BEGIN { printf "%.1f", b / 1048576 / (us / 1e6) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "kfc registry benchmark"
echo "  kfc:      $kfc ($kfc_version)"
echo "  peer:     $skopeo_version; registry: docker-registry (Debian) on 127.0.0.1, plain HTTP"
echo "  image:    $img_mb MiB in $nblobs blobs ($nlayers layers of random bytes, uncompressed, and the config)"
echo "  runs:     $runs of each, wall clock, a sync before each; MB/s = image bytes / median"
echo "  cpu:      medians of the command's own CPU time (user + system, its processes) and of"
echo "            the registry's meanwhile (reg cpu, from /proc/PID/stat)"
echo "  host:     $(uname -sm), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
row() { printf '%-50s %8s %10s %9s %8s %8s\n' "$@"; }
row "command" "min (s)" "median (s)" "MB/s" "cpu (s)" "reg cpu"
row "--------------------------------------------------" "--------" "----------" "---------" "--------" "--------"
# report NAME LABEL [BYTES]: a row; sets med_NAME.
report() {
    local mn md
    stats "t_$1"
    mn=$s_min md=$s_med
    printf -v "med_$1" '%s' "$md"
    stats "p_$1"; local cpu_s=$s_med
    stats "c_$1"; local reg_s=$s_med
    row "$2" "$(secs "$mn")" "$(secs "$md")" "$(mbps "${3:-$img_bytes}" "$md")" "$(secs "$cpu_s")" "$(secs "$reg_s")"
}
report kpush  "kfc push, cold (empty registry)"
report spush  "skopeo copy oci: -> docker://, cold"
report kpushw "kfc push, warm (every blob there)"
report spushw "skopeo copy oci: -> docker://, warm"
report kpull  "kfc pull -q, cold (empty store)"
report spull  "skopeo copy docker:// -> oci:, cold (new layout)"
report kpullw "kfc pull -q, warm (the store has it)"
report spullw "skopeo copy docker:// -> oci:, warm (same layout)"
report hash   "floor: cat blobs | sha256sum (read + hash)"
# shellcheck disable=SC2154  # med_* are set by report
if (( have_openssl )); then
    report ossl "floor: cat blobs | openssl dgst -sha256"
else
    row "floor: cat blobs | openssl dgst -sha256" "n/a" "n/a" "n/a"
    med_ossl=$med_hash
fi
report curl   "floor: curl GET biggest blob > /dev/null" "$big_bytes"
echo
# shellcheck disable=SC2154  # med_* are set by report
{
    rpush=$(ratio "$med_spush" "$med_kpush")
    rpull=$(ratio "$med_spull" "$med_kpull")
    met=0
    awk -v x="$rpush" 'BEGIN { exit !(x >= 1.5) }' && met=$((met + 1))
    awk -v x="$rpull" 'BEGIN { exit !(x >= 1.5) }' && met=$((met + 1))
    (( med_kpushw < 200000 )) && met=$((met + 1))
    (( med_kpullw < 200000 )) && met=$((met + 1))
    echo "biggest blob: $big_bytes bytes; every digest checked: $want"
    echo "kfc pull cold / hash floor:     $(ratio "$med_ossl" "$med_kpull") (MB/s over MB/s: the openssl row, else sha256sum's)"
    echo "kfc pull cold / curl floor:     $(ratio "$(mbps "$img_bytes" "$med_kpull")" "$(mbps "$big_bytes" "$med_curl")") (MB/s over MB/s)"
    echo "kfc push cold / hash floor:     $(ratio "$med_ossl" "$med_kpush") (kfc does not hash on a push; the registry does)"
    stats c_kpush
    echo "kfc push cold, registry busy:   $(ratio "$s_med" "$med_kpush") (registry CPU / wall; 1: one core all along)"
    echo "skopeo / kfc, push cold:        $rpush (target >= 1.5)"
    echo "skopeo / kfc, pull cold:        $rpull (target >= 1.5)"
    echo "kfc push warm:                  $(secs "$med_kpushw") s (target < 0.2 s)"
    echo "kfc pull warm:                  $(secs "$med_kpullw") s (target < 0.2 s)"
    echo "targets met: $met/4"
}
