#!/usr/bin/env bash
# bench/fmt.sh -- wall-clock benchmark for `kfc fmt`, compared with the npm
# package dockerfile-utils (its `dockerfile-utils format FILE` CLI).
#
# Input: every Kubefile in tests/corpus/kubefile/ (not *.tsv, *.md, *.txt).
# Times, best of BENCH_RUNS runs, stdout and stderr to /dev/null:
#   kfc fmt f1 f2 ... fN                  all files, one process
#   kfc fmt f       (for each file)       one process per file
#   dockerfile-utils format f  (each)     one process per file
# plus two reference rows: `node -e 0` per file (Node start-up alone) and the
# dockerfile-utils library over all files in one node process.  See
# bench/README.md.
#
# Usage: bench/fmt.sh [--quick] [--help]
#   --quick   20 files, 1 run; skip dockerfile-utils unless already installed
# Environment:
#   KFC             kfc binary (default: <repo>/build/kfc, then ./kfc)
#   BENCH_RUNS      runs per command; the minimum is reported (default 3)
#   BENCH_NPM_DIR   npm prefix for dockerfile-utils, outside the repository
#                   (default: $HOME/.cache/kubefile-bench/npm)
#
# Exit status: 0 when the measurement completed, 1 on a real failure (kfc
# missing or without `fmt`, kfc fmt exiting non-zero, npm install failing),
# 2 on a usage error.
set -euo pipefail
export LC_ALL=C

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
script_name=fmt.sh
# shellcheck source=bench/common.sh
. "$script_dir/common.sh"
root=$(cd "$script_dir/.." && pwd)
corpus="$root/tests/corpus/kubefile"

# The pinned peer.  Change both together with the results in bench/README.md.
DU_PKG=dockerfile-utils
DU_VERSION=0.16.3
QUICK_FILES=20


bench_args "$@"

quick_note=""
if (( quick )); then
    runs=1
    quick_note=" (--quick)"
else
    runs=${BENCH_RUNS:-3}
fi
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "bench/fmt.sh: BENCH_RUNS must be a positive integer" >&2; exit 2; }

peer_paths

# --- locate kfc and check that it has `fmt` ---------------------------------
find_kfc

fmt_rc=0
fmt_help=$("$kfc" fmt --help 2>&1) || fmt_rc=$?
if (( fmt_rc != 0 )); then
    die "$kfc ($kfc_version) has no working 'fmt' command: 'kfc fmt --help' exited with status $fmt_rc: $(printf '%s\n' "$fmt_help" | head -n 1)
  Build a kfc that has 'kfc fmt', or point KFC at one."
fi

# --- scratch directory ------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kfc-bench-fmt.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- input and the peer (bench/common.sh) ------------------------------------
collect_corpus
setup_peer

# --- timing -----------------------------------------------------------------

# The measured commands.  Each sets FAILS to the number of files it failed on.
# kfc fmt must exit 0 (a file that does not parse is still printed), so any
# other status is a real failure.  dockerfile-utils may fail on files it cannot
# handle; those are counted, not fatal.
run_kfc_all() {
    local rc=0
    "$kfc" fmt "${files[@]}" >/dev/null 2>&1 || rc=$?
    (( rc == 0 )) || rc_die "$rc" "'kfc fmt' over all $nfiles files"
    FAILS=0
}
run_kfc_each() {
    local f rc
    for f in "${files[@]}"; do
        rc=0
        "$kfc" fmt "$f" >/dev/null 2>&1 || rc=$?
        if (( rc != 0 )); then
            { "$kfc" fmt "$f" 2>&1 >/dev/null || true; } | head -n 5 >&2
            rc_die "$rc" "'kfc fmt $f'"
        fi
    done
    FAILS=0
}
run_du_each() {
    local f n=0
    : > "$tmp/du-failed"
    for f in "${files[@]}"; do
        if ! "$du_bin" format "$f" >/dev/null 2>&1; then
            n=$((n + 1))
            printf '%s\n' "$f" >> "$tmp/du-failed"
        fi
    done
    FAILS=$n
}
run_node_each() {
    local f
    for f in "${files[@]}"; do
        node -e 0 >/dev/null 2>&1 || die "'node -e 0' failed"
    done
    FAILS=0
}
run_du_lib() {
    local rc=0
    NODE_PATH="$npm_dir/node_modules" node "$tmp/du-lib.js" "${files[@]}" \
        >/dev/null 2>"$tmp/du-lib.err" || rc=$?
    (( rc == 0 )) || { cat "$tmp/du-lib.err" >&2; die "dockerfile-utils library run failed (status $rc)"; }
    FAILS=$(tail -n 1 "$tmp/du-lib.err")
    [[ $FAILS =~ ^[0-9]+$ ]] || die "dockerfile-utils library run: bad failure count '$FAILS'"
}

# time_best NAME FUNC: run FUNC `runs` times; sets T_<NAME> (best wall time in
# microseconds) and F_<NAME> (files failed on in the last run).
time_best() {
    local name=$1 func=$2 best=-1 i t0 t1 dt
    for (( i = 0; i < runs; i++ )); do
        FAILS=0
        t0=$(now_us)
        "$func"
        t1=$(now_us)
        dt=$(( t1 - t0 ))
        (( dt > 0 )) || dt=1
        if (( best < 0 || dt < best )); then best=$dt; fi
    done
    printf -v "T_$name" '%s' "$best"
    printf -v "F_$name" '%s' "$FAILS"
}

# --- untimed checks ---------------------------------------------------------
# kfc fmt over all files must exit 0 and print something.
rc=0
"$kfc" fmt "${files[@]}" >"$tmp/kfc.out" 2>"$tmp/kfc.err" || rc=$?
if (( rc != 0 )); then
    head -n 20 "$tmp/kfc.err" >&2
    rc_die "$rc" "'kfc fmt' over all $nfiles files"
fi
kfc_out_bytes=$(wc -c < "$tmp/kfc.out")
kfc_err_lines=$(wc -l < "$tmp/kfc.err")
(( kfc_out_bytes > 0 )) || die "'kfc fmt' over all $nfiles files printed nothing"

# Does `dockerfile-utils format` take several files in one call?  Compare
# `format A B` with `format A` followed by `format B`.
du_multi=0
du_multi_note=""
if (( du )); then
    if (( nfiles >= 2 )); then
        a=${files[0]} b=${files[1]}
        "$du_bin" format "$a" >"$tmp/a" 2>/dev/null || true
        "$du_bin" format "$b" >"$tmp/b" 2>/dev/null || true
        "$du_bin" format "$a" "$b" >"$tmp/ab" 2>/dev/null || true
        if cat "$tmp/a" "$tmp/b" | cmp -s - "$tmp/ab"; then
            du_multi=1
        elif cmp -s "$tmp/a" "$tmp/ab"; then
            du_multi_note="no: 'dockerfile-utils format A B' formats A only and ignores B"
        else
            du_multi_note="no: 'dockerfile-utils format A B' does not print A's and B's output"
        fi
    fi

    # The library, all files in one node process: same steps as the CLI's
    # format command (bin/dockerfile-utils), minus the per-file start-up.
    cat > "$tmp/du-lib.js" <<'EOF'
const fs = require("fs");
const utils = require("dockerfile-utils");
const types = require("vscode-languageserver-types");
const options = { tabSize: 4, insertSpaces: false };
let failed = 0;
for (const path of process.argv.slice(2)) {
    try {
        let content = fs.readFileSync(path).toString();
        const document = types.TextDocument.create("", "", 0, content);
        const edits = utils.format(content, options);
        for (let i = edits.length - 1; i >= 0; i--) {
            const start = document.offsetAt(edits[i].range.start);
            const end = document.offsetAt(edits[i].range.end);
            content = content.substring(0, start) + edits[i].newText + content.substring(end);
        }
        fs.writeSync(1, content);
    } catch (e) {
        failed++;
        process.stderr.write(path + ": " + e + "\n");
    }
}
process.stderr.write(failed + "\n");
EOF
    # Check that it prints what the CLI prints, on the first file.
    "$du_bin" format "${files[0]}" >"$tmp/cli1" 2>/dev/null || true
    NODE_PATH="$npm_dir/node_modules" node "$tmp/du-lib.js" "${files[0]}" >"$tmp/lib1" 2>/dev/null \
        || die "dockerfile-utils library script failed on ${files[0]}"
    cmp -s "$tmp/cli1" "$tmp/lib1" \
        || die "dockerfile-utils library script output differs from the CLI on ${files[0]}"
fi

# --- measure ----------------------------------------------------------------
if (( nfiles > 50 )); then
    echo "measuring $nfiles files, best of $runs; the dockerfile-utils loop takes a few minutes ..." >&2
fi
time_best kfc_all  run_kfc_all
time_best kfc_each run_kfc_each
if (( du )); then
    time_best du_each   run_du_each
    time_best node_each run_node_each
    time_best du_lib    run_du_lib
    if (( du_multi )); then
        run_du_multi() {
            local rc=0
            "$du_bin" format "${files[@]}" >/dev/null 2>&1 || rc=$?
            FAILS=$(( rc != 0 ))
        }
        time_best du_multi run_du_multi
    fi
fi

# --- report -----------------------------------------------------------------
secs()  { awk -v u="$1" 'BEGIN { printf "%.3f", u / 1e6 }'; }
fps()   { awk -v n="$nfiles" -v u="$1" 'BEGIN { printf "%.1f", n / (u / 1e6) }'; }
msper() { awk -v n="$nfiles" -v u="$1" 'BEGIN { printf "%.2f", (u / 1e3) / n }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { r = a / b; printf (r < 10 ? "%.2fx" : "%.1fx"), r }'; }

fmt_row='%-44s %9s %9s %9s %11s %11s\n'
row() {  # row LABEL MICROSECONDS
    printf "$fmt_row" "$1" "$(secs "$2")" "$(fps "$2")" "$(msper "$2")" \
        "$(ratio "$2" "$T_kfc_each")" "$(ratio "$2" "$T_kfc_all")"
}

echo "kfc fmt benchmark"
echo "  kfc:     $kfc ($kfc_version)"
if (( du )); then
    echo "  peer:    $du_bin"
    echo "           ($du_version_line; $DU_PKG@$DU_VERSION, node $node_version)"
else
    echo "  peer:    $DU_PKG: $du_note"
fi
echo "  input:   $nfiles of $corpus_files Kubefiles in tests/corpus/kubefile/, $in_bytes bytes"
echo "  runs:    best of $runs${quick_note}, wall clock, output to /dev/null"
echo "  host:    $(uname -sm), $(nproc 2>/dev/null || echo '?') CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo "  kfc fmt: exit status 0; $kfc_out_bytes bytes on stdout, $kfc_err_lines line(s) on stderr (one process, all files)"
echo
printf "$fmt_row" "command" "best (s)" "files/s" "ms/file" "/kfc each" "/kfc 1-proc"
printf "$fmt_row" "--------------------------------------------" "---------" "---------" "---------" "-----------" "-----------"
row "kfc fmt FILE... (1 process, all files)" "$T_kfc_all"
row "kfc fmt FILE (1 process per file)" "$T_kfc_each"
if (( du )); then
    row "dockerfile-utils format FILE (per file)" "$T_du_each"
    if (( du_multi )); then
        row "dockerfile-utils format FILE... (1 process)" "$T_du_multi"
    fi
    row "  ref: node -e 0 (per file, start-up only)" "$T_node_each"
    row "  ref: dockerfile-utils library, 1 node proc" "$T_du_lib"
fi
echo
echo "  /kfc each   = row time / 'kfc fmt FILE (1 process per file)' time"
echo "  /kfc 1-proc = row time / 'kfc fmt FILE... (1 process, all files)' time"
echo
if (( du )); then
    echo "dockerfile-utils per file / kfc fmt per file:     $(ratio "$T_du_each" "$T_kfc_each")"
    echo "dockerfile-utils per file / kfc fmt one process:  $(ratio "$T_du_each" "$T_kfc_all")"
    echo "dockerfile-utils failed on: $F_du_each of $nfiles files (CLI, non-zero exit); library: $F_du_lib"
    if (( F_du_each > 0 )); then
        head -n 5 "$tmp/du-failed" | sed "s|^$corpus/|  e.g. |"
    fi
    if (( du_multi )); then
        echo "dockerfile-utils format takes several files in one call: yes"
    else
        echo "dockerfile-utils format takes several files in one call: ${du_multi_note:-not checked (fewer than 2 files)}"
    fi
else
    echo "dockerfile-utils: $du_note"
fi
exit 0
