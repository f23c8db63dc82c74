#!/usr/bin/env bash
# bench/cache.sh -- kfc build's container image cache (issue 17) beside what
# sealos's save amounts to (skopeo copy from registry to registry), through
# Debian's docker-registry on 127.0.0.1 (plain HTTP).
#
# bench/cache-images.py writes a set of BENCH_IMAGES images of BENCH_MB MiB of
# blobs in all (counting each once): BENCH_BASES base layers of random bytes
# that several images share, and two layers of each image's own; skopeo
# copies them into a source registry (not timed). Then, over BENCH_RUNS runs
# (min, median, max), one of each row in turn:
#   skopeo loop     for each image: skopeo copy docker://SRC/img
#                   docker://DST/img, into a new, empty registry DST (its
#                   storage is the cache; what sealos's save writes)
#   skopeo, 5 at once  the same copies, five at a time (sealos registry
#                   save's --max-pull-procs default)
#   kfc cold        KFC_STORE=NEW kfc build --tls-verify=false --jobs J
#                   -t bench:cache --image-list LIST CONTEXT (a Kubefile of
#                   FROM scratch and a LABEL; LIST names the set), a new store,
#                   for each J of BENCH_JOBS
#   kfc warm        the same build again into the store of the last cold
#                   build (nothing changed: one HEAD a tag, the layer cached)
#   floors          cat of the set's blobs from the source registry's storage
#                   to /dev/null (the page cache), and curl GET of each blob
#                   through the source registry to /dev/null, one at a time
#                   and four at once (one curl process each)
# A sync (not timed) comes before every command.
#
# Checked, once: every image skopeo copied has the source's manifest digest;
# kfc's cold builds all print the same digest (SOURCE_DATE_EPOCH is set), the
# warm builds too; a docker-registry rooted at the registry/ of the image kfc
# built serves every image with the source's digest; a warm build fetches no
# blob from the source. A failure stops the script (exit 1).
#
# Targets (issue 17): skopeo loop / kfc cold >= 2, kfc warm / kfc cold <= 2 %
# (medians, --jobs 4, the default). The last line is "targets met: N/2". See
# bench/README.md.
#
# Usage: bench/cache.sh [--quick] [--help]
# Environment:
#   KFC           kfc binary (default: <repo>/build/kfc, then ./kfc)
#   BENCH_IMAGES  images in the set (default 20; --quick: 4)
#   BENCH_MB      MiB of blobs in the set (default 500; --quick: 30)
#   BENCH_BASES   shared base layers (default 4; --quick: 2)
#   BENCH_RUNS    runs of each row (default 5; --quick: 1)
#   BENCH_JOBS    the --jobs values of the kfc cold rows (default "4 8";
#                 --quick: "4"); the warm row uses the first
#
# Exit status: 0 when the measurement completed (whether or not the targets
# were met), 2 on a usage error, 1 on a real failure (kfc, skopeo or
# docker-registry missing, a command failing, a wrong digest).
set -euo pipefail
export LC_ALL=C

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/common.sh
. "$script_dir/common.sh"
root=$(cd "$script_dir/.." && pwd)

bench_args "$@"
if (( quick )); then
    nimages=${BENCH_IMAGES:-4} bench_mb=${BENCH_MB:-30} nbases=${BENCH_BASES:-2}
    runs=${BENCH_RUNS:-1} jobs_list=${BENCH_JOBS:-4}
else
    nimages=${BENCH_IMAGES:-20} bench_mb=${BENCH_MB:-500} nbases=${BENCH_BASES:-4}
    runs=${BENCH_RUNS:-5} jobs_list=${BENCH_JOBS:-4 8}
fi
for v in nimages bench_mb nbases runs; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "bench/cache.sh: $v (BENCH_*) must be a positive integer" >&2; exit 2; }
done
read -r -a jobs <<<"$jobs_list"
(( ${#jobs[@]} > 0 )) || { echo "bench/cache.sh: BENCH_JOBS is empty" >&2; exit 2; }
for j in "${jobs[@]}"; do
    [[ $j =~ ^[1-9][0-9]?$ ]] || { echo "bench/cache.sh: BENCH_JOBS: $j is not a number of jobs" >&2; exit 2; }
done

for t in skopeo docker-registry curl python3 tar xargs; do
    command -v "$t" >/dev/null 2>&1 || die "$t not found"
done
find_kfc
# the whole help read first: grep -q closing the pipe early would fail the pipeline under pipefail
build_help=$("$kfc" build --help 2>/dev/null || true)
[[ $build_help == *--jobs* ]] || die "'$kfc build --help' has no --jobs: this kfc does not cache container images"
skopeo_version=$(skopeo --version 2>/dev/null | head -n 1)
case $(uname -m) in
    x86_64) arch=amd64 ;;
    aarch64|arm64) arch=arm64 ;;
    *) arch=$(uname -m) ;;
esac

registry_bench_setup cache

# --- the image set, in the source registry ----------------------------------------
layout=$tmp/layout
echo "generating $nimages images, $bench_mb MiB of blobs ($nbases shared bases) ..." >&2
"$OCI_PYTHON" "$script_dir/cache-images.py" "$layout" "$nimages" "$bench_mb" "$nbases" "$arch" >"$tmp/tags" ||
    die "bench/cache-images.py failed"
registry_start_http "$tmp/src" >/dev/null || die "cannot start docker-registry"
src_dir=$REG_DIR src=$REG_ADDR src_url=$REG_URL src_log=$REG_LOG
echo "copying them into the source registry $src ..." >&2
: >"$tmp/list"
declare -A want=()
while read -r tag _ _; do
    oci_skopeo copy --quiet --preserve-digests --dest-tls-verify=false "oci:$layout:$tag" \
        "docker://$src/bench/$tag:v1" 2>"$tmp/err" ||
        { sed 's/^/  | /' "$tmp/err" >&2; die "skopeo copy of $tag into the source registry failed"; }
    want[$tag]=$(oci_digest "$layout" "$tag") || die "no manifest $tag in the layout"
    printf '%s/bench/%s:v1\n' "$src" "$tag" >>"$tmp/list"
done <"$tmp/tags"
# The set's blobs (configs and layers, each once) and their bytes, from the
# source registry's storage; the manifests aside.
mapfile -t blobs < <("$OCI_PYTHON" - "$layout" <<'EOF'
import json, os, sys
layout = sys.argv[1]
seen = set()
for m in json.load(open(os.path.join(layout, "index.json")))["manifests"]:
    man = json.load(open(os.path.join(layout, "blobs", "sha256", m["digest"].split(":")[1])))
    for b in [man["config"]] + man["layers"]:
        if b["digest"] not in seen:
            seen.add(b["digest"])
            print(b["digest"])
EOF
)
blob_files=() set_bytes=0
for d in "${blobs[@]}"; do
    h=${d#sha256:}
    f=$src_dir/storage/docker/registry/v2/blobs/sha256/${h:0:2}/$h/data
    [[ -f $f ]] || die "blob $d is not in the source registry's storage"
    blob_files+=("$f")
    set_bytes=$(( set_bytes + $(stat -c %s "$f") ))
done
nblobs=${#blobs[@]}
rm -rf -- "$layout"
set_mb=$(awk -v b="$set_bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
sum_bytes=$(awk '{ n += $3 } END { print n }' "$tmp/tags")
sum_mb=$(awk -v b="$sum_bytes" 'BEGIN { printf "%.1f", b / 1048576 }')

ctx=$tmp/context
mkdir -p "$ctx"
printf 'FROM scratch\nLABEL bench=cache\n' >"$ctx/Kubefile"

# --- measuring -----------------------------------------------------------------------
# watch: the folders of the registries whose CPU a row counts (the source,
# and the destination of the skopeo rows).
watch=("$src_dir")
reg_ticks() {
    local d n=0 p
    for d in "${watch[@]}"; do
        p=$(head -n 1 "$d/pids")
        n=$(( n + $(awk '{ print $14 + $15 }' "/proc/$p/stat") ))
    done
    echo "$n"
}



# skopeo_one TAG DST: one image from the source registry into DST.
skopeo_one() {
    oci_skopeo copy --quiet --preserve-digests --src-tls-verify=false --dest-tls-verify=false \
        "docker://$src/bench/$1:v1" "docker://$2/bench/$1:v1"
}
export -f skopeo_one oci_skopeo
export OCI_TMP src
sko_loop() {
    local tag
    while read -r tag _ _; do skopeo_one "$tag" "$1" || return; done <"$tmp/tags"
}
# shellcheck disable=SC2016  # $1 and $2 are the child bash's
sko_par() { cut -d' ' -f1 "$tmp/tags" | xargs -P 5 -I '{}' bash -c 'skopeo_one "$1" "$2"' _ '{}' "$1"; }
kfc_build() {
    KFC_STORE=$1 SOURCE_DATE_EPOCH=1700000000 "$kfc" build --progress=quiet --tls-verify=false --jobs "$2" \
        -t bench:cache --image-list "$tmp/list" "$ctx"
}
cat_floor() { cat -- "${blob_files[@]}" >/dev/null; }
# One curl for all the blobs (one connection), then one that fetches four at
# once (-Z, a connection each).
curl_seq() { curl -sS --fail "${curl_args[@]}"; }
curl_par() { curl -sS --fail -Z --parallel-max 4 "${curl_args[@]}"; }

# $tmp/curl: one URL a blob, through a repository that links it (the
# registry answers 404 for a blob the repository does not link).
"$OCI_PYTHON" - "$src_dir/storage/docker/registry/v2/repositories" "$src_url" "${blobs[@]}" >"$tmp/curl" <<'EOF' ||
import os, sys
repos, url, want = sys.argv[1], sys.argv[2], sys.argv[3:]
where = {}
for name in sorted(os.listdir(os.path.join(repos, "bench"))):
    layers = os.path.join(repos, "bench", name, "_layers", "sha256")
    for h in os.listdir(layers):
        where.setdefault("sha256:" + h, name)
for d in want:
    print("%s/v2/bench/%s/blobs/%s" % (url, where[d], d))
EOF
    die "cannot map the set's blobs to repositories"
curl_args=()
while read -r u; do curl_args+=(-o /dev/null "$u"); done <"$tmp/curl"

# check_dst DST: every image in the registry DST has the source's digest.
check_dst() {
    local tag got
    while read -r tag _ _; do
        got=$(oci_skopeo inspect --tls-verify=false --raw "docker://$1/bench/$tag:v1" 2>/dev/null | sha256sum | cut -d' ' -f1)
        [[ sha256:$got == "${want[$tag]}" ]] || die "$2: $tag has digest sha256:$got in $1, the source has ${want[$tag]}"
    done <"$tmp/tags"
}
# check_built STORE DIGEST: the registry/ layer of the image DIGEST in STORE,
# served by a docker-registry rooted there, has every image of the set with
# the source's digest.
check_built() {
    local layer
    layer=$("$OCI_PYTHON" - "$1" "$2" <<'EOF'
import json, os, sys
store, d = sys.argv[1], sys.argv[2]
m = json.load(open(os.path.join(store, "blobs", "sha256", d.split(":")[1])))
print(os.path.join(store, "blobs", "sha256", m["layers"][-1]["digest"].split(":")[1]))
EOF
) || die "kfc cold: cannot read the manifest $2 in the store"
    mkdir -p "$tmp/unpacked"
    tar -xf "$layer" -C "$tmp/unpacked" || die "kfc cold: cannot unpack the image's last layer"
    [[ -d $tmp/unpacked/registry/docker/registry/v2 ]] || die "kfc cold: the last layer has no registry/docker/registry/v2"
    REG_ROOTDIR=$tmp/unpacked/registry registry_start_http "$tmp/serve" >/dev/null ||
        die "cannot start docker-registry over the built registry/"
    check_dst "$REG_ADDR" "kfc cold, served from the image's registry/"
    registry_stop_dir "$tmp/serve" || true  # (its wait returns 143: not under set -e)
    rm -rf -- "$tmp/unpacked" "$tmp/serve"
}
blob_gets() { grep -c 'http.request.method=GET.*http.request.uri="/v2/[^"]*/blobs/sha256' "$src_log" || true; }

rows=(skol skop)
for j in "${jobs[@]}"; do rows+=("kc$j"); done
rows+=(kw cat curls curlp)
for n in "${rows[@]}"; do declare -a "t_$n=()" "c_$n=()" "p_$n=()"; done

echo "timing ($runs runs of each row) ..." >&2
built=
for (( i = 1; i <= runs; i++ )); do
    for mode in loop par; do
        registry_start_http "$tmp/dst" >/dev/null || die "cannot start docker-registry"
        dst=$REG_ADDR
        watch=("$src_dir" "$tmp/dst")
        if [[ $mode == loop ]]; then timed skol sko_loop "$dst"; else timed skop sko_par "$dst"; fi
        (( i == 1 )) && check_dst "$dst" "skopeo ($mode)"
        watch=("$src_dir")
        registry_stop_dir "$tmp/dst" && rm -rf -- "$tmp/dst"
    done
    # the first --jobs value last: its store stays for the warm build
    for j in "${jobs[@]:1}" "${jobs[0]}"; do
        rm -rf -- "$tmp/store"
        timed "kc$j" kfc_build "$tmp/store" "$j"
        got=$(cat "$tmp/out")
        [[ -n $built ]] || { built=$got; check_built "$tmp/store" "$built"; }
        [[ $got == "$built" ]] || die "kfc cold (--jobs $j, run $i) built $got, the first build $built"
    done
    gets0=$(blob_gets)
    timed kw kfc_build "$tmp/store" "${jobs[0]}"
    [[ $(cat "$tmp/out") == "$built" ]] || die "kfc warm (run $i) built $(cat "$tmp/out"), the cold build $built"
    [[ $(blob_gets) == "$gets0" ]] || die "kfc warm (run $i) fetched blobs from the source registry"
    rm -rf -- "$tmp/store"
    timed cat cat_floor
    timed curls curl_seq
    timed curlp curl_par
done

# --- report ----------------------------------------------------------------------------
# stats ARRAY: sets s_min, s_med and s_max (microseconds) of the array named ARRAY.
stats() {
    local -n stats_list=$1
    local sorted n
    mapfile -t sorted < <(printf '%s\n' "${stats_list[@]}" | sort -n)
    n=${#sorted[@]}
    s_min=${sorted[0]} s_max=${sorted[n - 1]}
    if (( n % 2 )); then s_med=${sorted[n / 2]}; else s_med=$(( (sorted[n / 2 - 1] + sorted[n / 2]) / 2 )); fi
}
secs() { awk -v us="$1" 'BEGIN { printf "%.3f", us / 1e6 }'; }
mbps() { awk -v b="$1" -v us="$2" 'BEGIN { printf "%.1f", b / 1048576 / (us / 1e6) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", 100 * a / b }'; }

echo "kfc container image cache benchmark"
echo "  kfc:      $kfc ($kfc_version)"
echo "  peer:     $skopeo_version, docker:// -> docker://; registries: docker-registry (Debian) on 127.0.0.1, plain HTTP"
echo "  set:      $nimages images, $nblobs blobs ($nbases shared bases), $set_mb MiB (each blob once; $sum_mb MiB image by image)"
echo "  runs:     $runs of each row, wall clock, a sync before each; MB/s = the set's bytes / median"
echo "  cpu:      medians of the command's own CPU time (its processes) and of the registries' meanwhile"
echo "  host:     $(uname -sm), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
row() { printf '%-46s %8s %10s %8s %9s %8s %8s\n' "$@"; }
row "command" "min (s)" "median (s)" "max (s)" "MB/s" "cpu (s)" "reg cpu"
row "----------------------------------------------" "--------" "----------" "--------" "---------" "--------" "--------"
# report NAME LABEL: a row; sets med_NAME.
report() {
    local mn md mx
    stats "t_$1"
    mn=$s_min md=$s_med mx=$s_max
    printf -v "med_$1" '%s' "$md"
    stats "p_$1"; local cpu_s=$s_med
    stats "c_$1"; local reg_s=$s_med
    row "$2" "$(secs "$mn")" "$(secs "$md")" "$(secs "$mx")" "$(mbps "$set_bytes" "$md")" "$(secs "$cpu_s")" "$(secs "$reg_s")"
}
report skol "skopeo copy loop, one image at a time"
report skop "skopeo copy, 5 images at once"
for j in "${jobs[@]}"; do report "kc$j" "kfc build, cold (new store), --jobs $j"; done
report kw "kfc build, warm (nothing changed), --jobs ${jobs[0]}"
report cat "floor: cat blobs > /dev/null"
report curls "floor: curl GET the blobs, one at a time"
report curlp "floor: curl GET the blobs, 4 at once"
echo
# shellcheck disable=SC2154  # med_* are set by report
{
    j0=${jobs[0]}
    v=med_kc$j0
    cold=${!v}
    r_peer=$(ratio "$med_skol" "$cold")
    r_warm=$(pct "$med_kw" "$cold")
    met=0
    awk -v x="$r_peer" 'BEGIN { exit !(x >= 2) }' && met=$((met + 1))
    awk -v x="$r_warm" 'BEGIN { exit !(x <= 2) }' && met=$((met + 1))
    echo "every image checked: the peer's copies and kfc's registry/ serve the source's digests; image $built"
    echo "skopeo 5 at once / kfc cold:    $(ratio "$med_skop" "$cold")"
    for j in "${jobs[@]:1}"; do
        v=med_kc$j
        printf '%-32s%s\n' "kfc cold --jobs $j / --jobs $j0:" "$(ratio "${!v}" "$cold")"
    done
    echo "kfc cold / cat floor:           $(ratio "$(mbps "$set_bytes" "$cold")" "$(mbps "$set_bytes" "$med_cat")") (MB/s over MB/s)"
    echo "kfc cold / curl floor (4):      $(ratio "$(mbps "$set_bytes" "$cold")" "$(mbps "$set_bytes" "$med_curlp")") (MB/s over MB/s)"
    echo "skopeo loop / kfc cold:         $r_peer (target >= 2)"
    echo "kfc warm / kfc cold:            $r_warm % (target <= 2 %)"
    echo "targets met: $met/2"
}
