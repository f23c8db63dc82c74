#!/usr/bin/env bash
# bench/lsp.sh -- kfls against the npm dockerfile-language-server-nodejs,
# driven by the same client (bench/lsp-client.py) over stdio.
#
# Input (BENCH_INPUT): "synthetic" (default), one Kubefile of 2,000 and one
# of 5,000 lines made of a repeated 10-line block that declares an app (ARG,
# ENV with a continuation, APP, APPENV, APPCMDS, COPY, RUN with a
# continuation), ending in LAUNCH of every app; or "corpus", the corpus
# Kubefiles concatenated and cut to those sizes (thousands of diagnostics:
# the parts do not form one valid Kubefile).
# Measured for each server (medians, milliseconds):
#   start-up            spawn to the initialize answer
#   change-2k/5k        one-character didChange until publishDiagnostics
#   tokens-2k/5k        textDocument/semanticTokens/full
#   format-5k           textDocument/formatting
#   rss                 peak RSS of the server after the session
# and the ratios peer/kfls. Targets: edit->diagnostics >= 20x faster,
# semantic tokens >= 100x faster at 5k lines, kfls RSS under 10 MB.
#
# Usage: bench/lsp.sh [--quick] [--help]
#   --quick   3 runs; skip the peer unless already installed
# Environment:
#   KFLS            kfls binary (default: <repo>/build/kfls)
#   BENCH_RUNS      samples per measurement (default 21)
#   BENCH_INPUT     synthetic (default) or corpus
#   BENCH_NPM_DIR   npm prefix for the peer, outside the repository
#                   (default: $HOME/.cache/kubefile-bench/npm)
#
# Exit status: 0 when the measurement completed, 1 on a real failure, 2 on a
# usage error.
set -euo pipefail
export LC_ALL=C

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
script_name=lsp.sh
# shellcheck source=bench/common.sh
. "$script_dir/common.sh"
root=$(cd "$script_dir/.." && pwd)
corpus="$root/tests/corpus/kubefile"

# The pinned peer.  Change both together with the results in bench/README.md.
DU_PKG=dockerfile-language-server-nodejs
DU_VERSION=0.15.0

bench_args "$@"
runs=${BENCH_RUNS:-21}
(( quick )) && runs=3
kfls=${KFLS:-$root/build/kfls}
[[ -x $kfls ]] || die "kfls not found: $kfls (build it or set KFLS)"
command -v python3 >/dev/null 2>&1 || die "python3 not found"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

QUICK_FILES=100000
collect_corpus
input=${BENCH_INPUT:-synthetic}
make_input() {
    local n=$1 out=$2
    case $input in
    corpus)
        : >"$out"
        while (( $(wc -l <"$out") < n )); do
            cat -- "${files[@]}" >>"$out"
        done
        head -n "$n" "$out" >"$out.cut" && mv "$out.cut" "$out"
        ;;
    synthetic)
        awk -v n="$n" 'BEGIN {
            print "FROM registry.example.com/kubernetes:v1.25.0"; k = int((n - 2) / 10); apps = ""
            for (i = 1; i <= k; i++) {
                printf "# app %d\nARG V_%d=1.%d\nENV REGION_%d=eu-${V_%d} \\\n    MODE_%d=prod\n", i, i, i, i, i, i
                printf "APP app%d local://apps/app%d\nAPPENV app%d LOG=info\n", i, i, i
                printf "APPCMDS app%d [\"bash\", \"install.sh\"]\nCOPY --chmod=0644 manifests/app%d.yaml manifests/\n", i, i
                printf "RUN echo \"installing app%d\" && \\\n    test -n \"$HOME\"\n", i
                apps = apps " app" i
            }
            print "LAUNCH" apps
        }' >"$out"
        ;;
    *) die "BENCH_INPUT must be synthetic or corpus" ;;
    esac
}
make_input 2000 "$tmp/Kubefile.2k"
make_input 5000 "$tmp/Kubefile.5k"

peer_paths
peer_bin="$npm_dir/node_modules/.bin/docker-langserver"
peer_json="$npm_dir/node_modules/$DU_PKG/package.json"
peer_version() { sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$peer_json" 2>/dev/null | head -n 1; }
peer=0
if [[ $(peer_version || true) == "$DU_VERSION" && -x $peer_bin ]]; then
    peer=1
elif (( ! quick )); then
    command -v npm >/dev/null 2>&1 || die "npm not found; it is needed to install $DU_PKG@$DU_VERSION"
    echo "installing $DU_PKG@$DU_VERSION into $npm_dir ..." >&2
    mkdir -p -- "$npm_dir"
    npm install --prefix "$npm_dir" --save-exact --no-audit --no-fund --loglevel=error \
        "$DU_PKG@$DU_VERSION" >"$tmp/npm.log" 2>&1 || { cat "$tmp/npm.log" >&2; die "npm install failed"; }
    [[ $(peer_version || true) == "$DU_VERSION" ]] || die "$DU_PKG@$DU_VERSION did not install"
    peer=1
fi

echo "kfls: $("$kfls" --version)"
echo "input ($input): $(wc -l <"$tmp/Kubefile.2k") and $(wc -l <"$tmp/Kubefile.5k") lines; $runs samples each"
python3 "$script_dir/lsp-client.py" "$tmp/Kubefile.2k" "$tmp/Kubefile.5k" "$runs" -- "$kfls" >"$tmp/kfls.out" \
    || die "kfls session failed"
if (( peer )); then
    echo "peer: $DU_PKG@$DU_VERSION, node $(node --version)"
    python3 "$script_dir/lsp-client.py" "$tmp/Kubefile.2k" "$tmp/Kubefile.5k" "$runs" -- node "$npm_dir/node_modules/$DU_PKG/lib/server.js" --stdio >"$tmp/peer.out" \
        || die "peer session failed"
else
    echo "peer: skipped ($DU_PKG@$DU_VERSION not installed; run without --quick once)"
    : >"$tmp/peer.out"
fi
val() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
printf '\n%-14s %12s %12s %10s\n' measure "kfls" "peer" "ratio"
met=0 total=0
for k in start-up change-2k change-5k tokens-2k tokens-5k format-5k; do
    a=$(val "$k" "$tmp/kfls.out"); b=$(val "$k" "$tmp/peer.out")
    if [[ -n $b ]]; then
        r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.0fx", (a > 0 ? b / a : 0) }')
    else
        b=n/a r=n/a
    fi
    printf '%-14s %10s ms %10s ms %10s\n' "$k" "$a" "$b" "$r"
done
rss=$(val rss-kb "$tmp/kfls.out"); prss=$(val rss-kb "$tmp/peer.out")
printf '%-14s %9s KB %9s KB\n' "peak RSS" "$rss" "${prss:-n/a}"
printf 'semantic tokens: kfls %s / peer %s at 5k lines\n' "$(val tokens-5k-count "$tmp/kfls.out")" "$(val tokens-5k-count "$tmp/peer.out")"
printf 'diagnostics: kfls %s / peer %s at 5k lines\n' "$(val diags-5k "$tmp/kfls.out")" "$(val diags-5k "$tmp/peer.out")"
grep -h 'error' "$tmp/kfls.out" "$tmp/peer.out" | sed 's/^/note: /' || true
check() { # name ok?
    total=$((total + 1))
    if [[ $2 == 1 ]]; then met=$((met + 1)); echo "target met: $1"; else echo "target missed: $1"; fi
}
if (( peer )); then
    for n in 2k 5k; do
        check "edit->diagnostics >= 20x faster at $n" \
            "$(awk -v a="$(val change-$n "$tmp/kfls.out")" -v b="$(val change-$n "$tmp/peer.out")" 'BEGIN { print (b >= 20 * a) ? 1 : 0 }')"
    done
    check "semantic tokens >= 100x faster at 5k" \
        "$(awk -v a="$(val tokens-5k "$tmp/kfls.out")" -v b="$(val tokens-5k "$tmp/peer.out")" 'BEGIN { print (b >= 100 * a) ? 1 : 0 }')"
fi
check "kfls RSS < 10 MB" "$(awk -v r="$rss" 'BEGIN { print (r < 10240) ? 1 : 0 }')"
echo "targets met: $met/$total"
