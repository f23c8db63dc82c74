# shellcheck shell=bash
# shellcheck disable=SC2154  # the caller sets the variables this file reads
# bench/common.sh -- what bench/fmt.sh and bench/lint.sh share: the corpus
# input and the dockerfile-utils peer. Sourced; it uses the caller's
# variables (corpus, quick, QUICK_FILES, tmp, DU_PKG, DU_VERSION, npm_dir,
# du_bin, du_pkg_json, script_name) and its die().

# The name of the benchmark script that sourced this file.
bench_name() { basename -- "${BASH_SOURCE[${#BASH_SOURCE[@]} - 1]}"; }

die() { printf 'bench/%s: error: %s\n' "$(bench_name)" "$*" >&2; exit 1; }

# now_us: wall clock in integer microseconds.
if [[ -n ${EPOCHREALTIME:-} ]]; then
    now_us() { local t=${EPOCHREALTIME//[.,]/}; echo "$((10#$t))"; }
else
    now_us() { date +%s%6N; }
fi

# rc_die RC WHAT: a measured command that had to exit 0 did not.
rc_die() {
    local rc=$1 what=$2
    (( rc > 128 )) && die "$what was killed by signal $((rc - 128))"
    die "$what exited with status $rc (expected 0)"
}

# find_kfc: sets kfc (KFC, else <repo>/build/kfc, else ./kfc, made absolute)
# and kfc_version.
find_kfc() {
    if [[ -n ${KFC:-} ]]; then
        kfc=$KFC
    elif [[ -x $root/build/kfc ]]; then
        kfc=$root/build/kfc
    elif [[ -x ./kfc ]]; then
        kfc=./kfc
    else
        die "kfc not found (tried \$KFC, $root/build/kfc, ./kfc); build it or set KFC"
    fi
    [[ -f $kfc && -x $kfc ]] || die "kfc not found or not executable: $kfc"
    case $kfc in /*) ;; *) kfc="$(pwd)/$kfc" ;; esac
    kfc_version=$("$kfc" --version 2>/dev/null | head -n 1) || die "'$kfc --version' failed"
}

# usage: the script's header comment, without the '#'.
usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' \
        "${BASH_SOURCE[${#BASH_SOURCE[@]} - 1]}"
}

# bench_args "$@": sets quick (0 or 1); --help prints the usage; anything
# else is a usage error (exit 2).
bench_args() {
    quick=0
    local arg
    for arg in "$@"; do
        case $arg in
            --quick) quick=1 ;;
            -h|--help) usage; exit 0 ;;
            *) printf 'bench/%s: unknown argument: %s\n' "$(bench_name)" "$arg" >&2; usage >&2; exit 2 ;;
        esac
    done
}

# peer_paths: where the dockerfile-utils peer is installed (BENCH_NPM_DIR,
# outside the repository): sets npm_dir, du_bin and du_pkg_json.
peer_paths() {
    npm_dir=${BENCH_NPM_DIR:-${HOME:?HOME is not set}/.cache/kubefile-bench/npm}
    case $npm_dir in /*) ;; *) npm_dir="$(pwd)/$npm_dir" ;; esac
    case "$npm_dir/" in
        "$root"/*) die "BENCH_NPM_DIR must be outside the repository: $npm_dir" ;;
    esac
    du_bin="$npm_dir/node_modules/.bin/dockerfile-utils"
    du_pkg_json="$npm_dir/node_modules/$DU_PKG/package.json"
}

# collect_corpus: sets files (the Kubefiles, cut to QUICK_FILES with
# --quick), corpus_files, nfiles and in_bytes.
collect_corpus() {
    [[ -d $corpus ]] || die "corpus directory missing: $corpus"
    files=()
    for f in "$corpus"/*; do
        [[ -f $f ]] || continue
        case $f in *.tsv|*.md|*.txt) continue ;; esac
        files+=("$f")
    done
    (( ${#files[@]} > 0 )) || die "no Kubefiles found in $corpus"
    corpus_files=${#files[@]}
    if (( quick && ${#files[@]} > QUICK_FILES )); then
        files=("${files[@]:0:QUICK_FILES}")
    fi
    nfiles=${#files[@]}
    in_bytes=$(cat -- "${files[@]}" | wc -c)

}

# setup_peer: installs dockerfile-utils into npm_dir if it is missing (not
# with --quick); sets du (1 when it can be run), du_note, node_version and
# du_version_line.
setup_peer() {
    # --- dockerfile-utils: install (default mode) or use if present (--quick) ----
    du_installed_version() {
        [[ -f $du_pkg_json && -x $du_bin ]] || return 1
        sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$du_pkg_json" | head -n 1
    }

    du=0
    du_note=""
    have_version=$(du_installed_version || true)
    if [[ $have_version == "$DU_VERSION" ]]; then
        du=1
    elif (( quick )); then
        du_note="skipped: $DU_PKG@$DU_VERSION is not installed in $npm_dir (--quick does not install; run bench/$script_name once without --quick)"
    else
        command -v npm >/dev/null 2>&1 || die "npm not found; it is needed to install $DU_PKG@$DU_VERSION"
        echo "installing $DU_PKG@$DU_VERSION into $npm_dir ..." >&2
        mkdir -p -- "$npm_dir" || die "cannot create $npm_dir"
        if ! npm install --prefix "$npm_dir" --save-exact --no-audit --no-fund \
                --loglevel=error "$DU_PKG@$DU_VERSION" >"$tmp/npm.log" 2>&1; then
            cat "$tmp/npm.log" >&2
            die "npm install of $DU_PKG@$DU_VERSION into $npm_dir failed"
        fi
        have_version=$(du_installed_version || true)
        [[ $have_version == "$DU_VERSION" ]] \
            || die "after npm install, $du_bin is missing or not version $DU_VERSION (found '${have_version:-nothing}')"
        du=1
    fi
    if (( du )); then
        command -v node >/dev/null 2>&1 || die "node not found; it is needed to run $DU_PKG"
        node_version=$(node --version)
        du_version_line=$("$du_bin" --version 2>/dev/null | head -n 1) \
            || die "'$du_bin --version' failed"
    fi
}

# ---- timing a command with the CPU of its children and of registries -------------------------
# (bench/registry.sh and bench/cache.sh; each defines reg_ticks, the CPU
# ticks of the registries it watches, and $tmp)
clk_tck=$(getconf CLK_TCK 2>/dev/null || echo 100)

# children_us VAR: sets VAR to the CPU time (user + system) of this shell's
# finished children so far, in microseconds, from the builtin times.
children_us() {
    times >"$tmp/times"
    printf -v "$1" '%s' "$(awk 'NR == 2 {
        n = 0
        for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); n += (p[1] * 60 + p[2]) * 1e6 }
        printf "%d\n", n
    }' "$tmp/times")"
}

# timed NAME CMD...: syncs, then runs CMD once, stdout to $tmp/out, stderr to
# $tmp/err; appends to arrays, in microseconds: t_NAME the wall time, p_NAME
# the CPU time of CMD's processes, c_NAME the CPU time the registries that reg_ticks counts
# spent meanwhile. Dies when CMD fails.
timed() {
    local name=$1 t0 t1 c0 c1 p0 p1 rc=0; shift
    sync
    c0=$(reg_ticks)
    children_us p0
    t0=$(now_us)
    "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
    t1=$(now_us)
    children_us p1
    c1=$(reg_ticks)
    if (( rc != 0 )); then
        sed 's/^/  | /' "$tmp/err" | tail -20 >&2
        rc_die "$rc" "$name ($*)"
    fi
    local -n wall_list=t_$name reg_list=c_$name cpu_list=p_$name
    wall_list+=($(( t1 - t0 > 0 ? t1 - t0 : 1 )))
    reg_list+=($(( (c1 - c0) * 1000000 / clk_tck )))
    cpu_list+=($(( p1 - p0 )))
}

# registry_bench_setup NAME: $tmp, a new folder kfc-bench-NAME.*; the test
# suite's registry helpers (POSIX sh: registry_start_http, registry_stop_dir,
# registry_stop_all, every registry started here stopped by PID; oci_skopeo,
# skopeo with a policy that accepts anything; oci_digest); on exit, the
# registries stopped and $tmp removed.
registry_bench_setup() {
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/kfc-bench-$1.XXXXXX")
    export KF_SRCDIR=$root
    set +u
    # shellcheck source=tests/oci-lib.sh
    . "$root/tests/oci-lib.sh"
    # shellcheck source=tests/registry-lib.sh
    . "$root/tests/registry-lib.sh"
    set -u
    trap 'oci_cleanup 2>/dev/null || true; rm -rf -- "$tmp"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}
