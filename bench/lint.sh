#!/usr/bin/env bash
# bench/lint.sh -- wall-clock benchmark for `kflint`, compared with the npm
# package dockerfile-utils (its `dockerfile-utils lint FILE` CLI).
#
# Input: every Kubefile in tests/corpus/kubefile/ (not *.tsv, *.md, *.txt).
# Times, best of BENCH_RUNS runs, stdout and stderr to /dev/null:
#   kflint $KFLINT_OPTS f1 f2 ... fN      all files, one process
#   kflint $KFLINT_OPTS f   (each)        one process per file
#   dockerfile-utils lint f  (each)       one process per file
# where KFLINT_OPTS is --no-shellcheck --failure-threshold=none -f gnu, plus
# reference rows: /bin/true per file (the process start-up floor), `node -e 0`
# per file (Node start-up alone), the dockerfile-utils library's validate()
# over all files in one node process, and kflint over all files WITH
# ShellCheck (one shellcheck process per shell command) if it is installed.
# See bench/README.md.
#
# Usage: bench/lint.sh [--quick] [--help]
#   --quick   20 files, 1 run; skip dockerfile-utils unless already installed
# Environment:
#   KFLINT          kflint binary (default: <repo>/build/kflint)
#   BENCH_RUNS      runs per command; the minimum is reported (default 3)
#   BENCH_NPM_DIR   npm prefix for dockerfile-utils, outside the repository
#                   (default: $HOME/.cache/kubefile-bench/npm)
#
# Exit status: 0 when the measurement completed, 1 on a real failure (kflint
# missing, kflint exiting non-zero or crashing, npm install failing), 2 on a
# usage error.
set -euo pipefail
export LC_ALL=C

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
script_name=lint.sh
# shellcheck source=bench/common.sh
. "$script_dir/common.sh"
root=$(cd "$script_dir/.." && pwd)
corpus="$root/tests/corpus/kubefile"

# The pinned peer.  Change both together with the results in bench/README.md.
DU_PKG=dockerfile-utils
DU_VERSION=0.16.3
QUICK_FILES=20
# ShellCheck is measured in its own row; --failure-threshold=none makes the
# exit status 0 whatever the findings.
KFLINT_OPTS=(--no-shellcheck --failure-threshold=none -f gnu)
KFLINT_SC_OPTS=(--failure-threshold=none -f gnu)


bench_args "$@"

quick_note=""
if (( quick )); then
    runs=1
    quick_note=" (--quick)"
else
    runs=${BENCH_RUNS:-3}
fi
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "bench/lint.sh: BENCH_RUNS must be a positive integer" >&2; exit 2; }

peer_paths

# --- locate kflint ----------------------------------------------------------
kflint=${KFLINT:-$root/build/kflint}
[[ -f $kflint && -x $kflint ]] \
    || die "kflint not found or not executable: $kflint (build it: make -C build kflint, or set KFLINT)"
case $kflint in /*) ;; *) kflint="$(pwd)/$kflint" ;; esac

true_bin=$(type -P true) || die "no external 'true' command found"

# --- scratch directory ------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kflint-bench.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Time a private copy, so that a rebuild of build/kflint during the run
# (make replaces the file) can neither break the loops nor mix two binaries.
kflint_src=$kflint
cp -- "$kflint_src" "$tmp/kflint" || die "cannot copy $kflint_src to $tmp"
kflint=$tmp/kflint
kflint_sum=$(cksum < "$kflint" | cut -d' ' -f1)
kflint_version=$("$kflint" --version 2>/dev/null | head -n 1) || die "'$kflint_src --version' failed"

# --- input and the peer (bench/common.sh) ------------------------------------
collect_corpus
setup_peer

# --- ShellCheck (reference row) ---------------------------------------------
sc=0
sc_note=""
if sc_path=$(type -P shellcheck); then
    sc=1
    sc_version=$(shellcheck --version 2>/dev/null | sed -n 's/^version: *//p' | head -n 1)
    sc_version=${sc_version:-unknown}
else
    sc_note="skipped: shellcheck is not installed"
fi

# --- timing -----------------------------------------------------------------

# The measured commands.  Each sets FAILS to the number of files it failed on
# (and ERRS, for dockerfile-utils, to the number it reported errors in).
# kflint with --failure-threshold=none must exit 0, so any other status is a
# real failure.  `dockerfile-utils lint` exits 1 when it finds an error-level
# problem; that is a finding, not a failure.  It counts as a failure (tolerated
# and counted) when it exits with another status or writes to stderr (an
# uncaught exception).
run_kflint_all() {
    local rc=0
    "$kflint" "${KFLINT_OPTS[@]}" "${files[@]}" >/dev/null 2>&1 || rc=$?
    (( rc == 0 )) || rc_die "$rc" "'kflint ${KFLINT_OPTS[*]}' over all $nfiles files"
    FAILS=0
}
run_kflint_each() {
    local f rc
    for f in "${files[@]}"; do
        rc=0
        "$kflint" "${KFLINT_OPTS[@]}" "$f" >/dev/null 2>&1 || rc=$?
        if (( rc != 0 )); then
            { "$kflint" "${KFLINT_OPTS[@]}" "$f" 2>&1 >/dev/null || true; } | head -n 5 >&2
            rc_die "$rc" "'kflint ${KFLINT_OPTS[*]} $f'"
        fi
    done
    FAILS=0
}
run_kflint_sc_all() {
    local rc=0
    "$kflint" "${KFLINT_SC_OPTS[@]}" "${files[@]}" >/dev/null 2>&1 || rc=$?
    (( rc == 0 )) || rc_die "$rc" "'kflint ${KFLINT_SC_OPTS[*]}' over all $nfiles files"
    FAILS=0
}
run_true_each() {
    local f
    for f in "${files[@]}"; do
        "$true_bin" "$f" >/dev/null 2>&1 || die "'$true_bin' failed"
    done
    FAILS=0
}
run_du_each() {
    local f n=0 e=0 rc
    : > "$tmp/du-failed"
    : > "$tmp/du-errors"
    for f in "${files[@]}"; do
        rc=0
        "$du_bin" lint "$f" >/dev/null 2>"$tmp/du-each.err" || rc=$?
        if (( rc > 1 )) || [[ -s $tmp/du-each.err ]]; then
            n=$((n + 1))
            printf '%s\n' "$f" >> "$tmp/du-failed"
        elif (( rc == 1 )); then
            e=$((e + 1))
            printf '%s\n' "$f" >> "$tmp/du-errors"
        fi
    done
    FAILS=$n
    ERRS=$e
}
run_node_each() {
    local f
    for f in "${files[@]}"; do
        node -e 0 >/dev/null 2>&1 || die "'node -e 0' failed"
    done
    FAILS=0
}
run_du_lib() {
    local rc=0 last
    NODE_PATH="$npm_dir/node_modules" node "$tmp/du-lib.js" "${files[@]}" \
        >/dev/null 2>"$tmp/du-lib.err" || rc=$?
    (( rc == 0 )) || { cat "$tmp/du-lib.err" >&2; die "dockerfile-utils library run failed (status $rc)"; }
    last=$(tail -n 1 "$tmp/du-lib.err")
    [[ $last =~ ^([0-9]+)\ ([0-9]+)$ ]] || die "dockerfile-utils library run: bad summary line '$last'"
    FAILS=${BASH_REMATCH[1]}
    ERRS=${BASH_REMATCH[2]}
}

# time_best NAME FUNC: run FUNC `runs` times; sets T_<NAME> (best wall time in
# microseconds), F_<NAME> (files failed on) and E_<NAME> (files with reported
# errors), both from the last run.
time_best() {
    local name=$1 func=$2 best=-1 i t0 t1 dt
    for (( i = 0; i < runs; i++ )); do
        FAILS=0
        ERRS=0
        t0=$(now_us)
        "$func"
        t1=$(now_us)
        dt=$(( t1 - t0 ))
        (( dt > 0 )) || dt=1
        if (( best < 0 || dt < best )); then best=$dt; fi
    done
    printf -v "T_$name" '%s' "$best"
    printf -v "F_$name" '%s' "$FAILS"
    printf -v "E_$name" '%s' "$ERRS"
}

# --- untimed checks ---------------------------------------------------------
# kflint over all files must exit 0; its output must be the per-file outputs
# one after the other (one process lints each file as it would alone).
rc=0
"$kflint" "${KFLINT_OPTS[@]}" "${files[@]}" >"$tmp/kflint.out" 2>"$tmp/kflint.err" || rc=$?
if (( rc != 0 )); then
    head -n 20 "$tmp/kflint.err" >&2
    rc_die "$rc" "'kflint ${KFLINT_OPTS[*]}' over all $nfiles files"
fi
kflint_diags=$(wc -l < "$tmp/kflint.out")
kflint_err_lines=$(wc -l < "$tmp/kflint.err")
for f in "${files[@]}"; do
    rc=0
    "$kflint" "${KFLINT_OPTS[@]}" "$f" >>"$tmp/kflint-each.out" 2>>"$tmp/kflint-each.err" || rc=$?
    (( rc == 0 )) || rc_die "$rc" "'kflint ${KFLINT_OPTS[*]} $f'"
done
if cmp -s "$tmp/kflint.out" "$tmp/kflint-each.out" && cmp -s "$tmp/kflint.err" "$tmp/kflint-each.err"; then
    kflint_same="yes"
else
    kflint_same="NO: one process and one process per file print different diagnostics"
fi

# With ShellCheck: count the shellcheck processes kflint starts, through a
# wrapper first in PATH (untimed; the timed row runs the real one directly).
if (( sc )); then
    mkdir -p "$tmp/scbin"
    : > "$tmp/sc-calls"
    cat > "$tmp/scbin/shellcheck" <<EOF
#!/bin/sh
echo x >> '$tmp/sc-calls'
exec '$sc_path' "\$@"
EOF
    chmod +x "$tmp/scbin/shellcheck"
    rc=0
    PATH="$tmp/scbin:$PATH" "$kflint" "${KFLINT_SC_OPTS[@]}" "${files[@]}" \
        >"$tmp/kflint-sc.out" 2>"$tmp/kflint-sc.err" || rc=$?
    if (( rc != 0 )); then
        head -n 20 "$tmp/kflint-sc.err" >&2
        rc_die "$rc" "'kflint ${KFLINT_SC_OPTS[*]}' over all $nfiles files"
    fi
    sc_calls=$(wc -l < "$tmp/sc-calls")
    sc_diags=$(grep -c '\[SC[0-9]*\]$' "$tmp/kflint-sc.out" || true)
fi

if (( du )); then
    # The library, all files in one node process: validate() as the CLI's lint
    # command does (bin/dockerfile-utils), one line per diagnostic on stdout
    # (path:line:col: severity: message, as kflint -f gnu), minus the per-file
    # start-up.  Last stderr line: "<files it threw on> <files with errors>".
    cat > "$tmp/du-lib.js" <<'EOF'
const fs = require("fs");
const utils = require("dockerfile-utils");
const types = require("vscode-languageserver-types");
let failed = 0, withErrors = 0;
let out = "";
for (const path of process.argv.slice(2)) {
    try {
        const content = fs.readFileSync(path).toString();
        const diagnostics = utils.validate(content);
        let error = false;
        for (const d of diagnostics) {
            const sev = d.severity === types.DiagnosticSeverity.Error ? "error" : "warning";
            if (sev === "error") error = true;
            out += path + ":" + (d.range.start.line + 1) + ":" + (d.range.start.character + 1) +
                ": " + sev + ": " + d.message + "\n";
        }
        if (error) withErrors++;
        if (process.env.DU_LIB_LIST && error) process.stderr.write("E " + path + "\n");
    } catch (e) {
        failed++;
        process.stderr.write(path + ": " + e + "\n");
    }
    if (out.length > 65536) { fs.writeSync(1, out); out = ""; }
}
fs.writeSync(1, out);
process.stderr.write(failed + " " + withErrors + "\n");
EOF
    NODE_PATH="$npm_dir/node_modules" DU_LIB_LIST=1 node "$tmp/du-lib.js" "${files[@]}" \
        >"$tmp/du-lib.out" 2>"$tmp/du-lib-list.err" \
        || { cat "$tmp/du-lib-list.err" >&2; die "dockerfile-utils library script failed"; }
    du_lib_diags=$(wc -l < "$tmp/du-lib.out")
fi

# --- measure ----------------------------------------------------------------
if (( nfiles > 50 )); then
    echo "measuring $nfiles files, best of $runs; the node loops take several minutes ..." >&2
fi
time_best kflint_all  run_kflint_all
time_best kflint_each run_kflint_each
time_best true_each   run_true_each
if (( sc )); then
    time_best kflint_sc run_kflint_sc_all
fi
if (( du )); then
    time_best du_each   run_du_each
    time_best node_each run_node_each
    time_best du_lib    run_du_lib
    # Does the library script agree with the CLI on which files have errors?
    sed -n 's/^E //p' "$tmp/du-lib-list.err" > "$tmp/du-lib-errors"
    if cmp -s "$tmp/du-lib-errors" "$tmp/du-errors"; then
        du_agree="yes"
    else
        du_agree="NO (CLI $(wc -l < "$tmp/du-errors") files, library $(wc -l < "$tmp/du-lib-errors"))"
    fi
fi

# --- report -----------------------------------------------------------------
secs()  { awk -v u="$1" 'BEGIN { printf "%.3f", u / 1e6 }'; }
fps()   { awk -v n="$nfiles" -v u="$1" 'BEGIN { printf "%.1f", n / (u / 1e6) }'; }
msper() { awk -v n="$nfiles" -v u="$1" 'BEGIN { printf "%.2f", (u / 1e3) / n }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { r = a / b; printf (r < 10 ? "%.2fx" : "%.1fx"), r }'; }
rawratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a / b }'; }

fmt_row='%-48s %9s %9s %9s %12s %12s\n'
row() {  # row LABEL MICROSECONDS
    printf "$fmt_row" "$1" "$(secs "$2")" "$(fps "$2")" "$(msper "$2")" \
        "$(ratio "$2" "$T_kflint_each")" "$(ratio "$2" "$T_kflint_all")"
}

echo "kflint benchmark"
echo "  kflint:  $kflint_src ($kflint_version; a copy of it, cksum $kflint_sum, is timed)"
echo "           options: ${KFLINT_OPTS[*]}"
if (( du )); then
    echo "  peer:    $du_bin"
    echo "           ($du_version_line; $DU_PKG@$DU_VERSION, node $node_version)"
else
    echo "  peer:    $DU_PKG: $du_note"
fi
if (( sc )); then
    echo "  shellcheck: $sc_path (version $sc_version)"
else
    echo "  shellcheck: $sc_note"
fi
echo "  input:   $nfiles of $corpus_files Kubefiles in tests/corpus/kubefile/, $in_bytes bytes"
echo "  runs:    best of $runs${quick_note}, wall clock, output to /dev/null"
echo "  host:    $(uname -sm), $(nproc 2>/dev/null || echo '?') CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo "  kflint:  exit status 0; $kflint_diags diagnostic line(s) on stdout, $kflint_err_lines line(s) on stderr (one process, all files)"
echo "           one process prints the same as one process per file: $kflint_same"
echo
printf "$fmt_row" "command" "best (s)" "files/s" "ms/file" "/kflint each" "/kflint 1-pr"
printf "$fmt_row" "------------------------------------------------" "---------" "---------" "---------" "------------" "------------"
row "kflint FILE... (1 process, all files)" "$T_kflint_all"
row "kflint FILE (1 process per file)" "$T_kflint_each"
if (( du )); then
    row "dockerfile-utils lint FILE (per file)" "$T_du_each"
fi
row "  ref: /bin/true FILE (per file, start-up floor)" "$T_true_each"
if (( du )); then
    row "  ref: node -e 0 (per file, Node start-up)" "$T_node_each"
    row "  ref: dockerfile-utils validate(), 1 node proc" "$T_du_lib"
fi
if (( sc )); then
    row "  ref: kflint FILE... WITH ShellCheck, 1 proc" "$T_kflint_sc"
fi
echo
echo "  /kflint each = row time / 'kflint FILE (1 process per file)' time"
echo "  /kflint 1-pr = row time / 'kflint FILE... (1 process, all files)' time"
echo
above_floor=$(awk -v a="$T_kflint_each" -v b="$T_true_each" -v n="$nfiles" \
    'BEGIN { printf "%.2f", (a - b) / 1e3 / n }')
echo "kflint per file above the /bin/true floor:          $above_floor ms/file"
if (( du )); then
    r_each=$(rawratio "$T_du_each" "$T_kflint_each")
    if awk -v r="$r_each" 'BEGIN { exit !(r >= 100) }'; then verdict="met"; else verdict="missed"; fi
    echo "dockerfile-utils per file / kflint per file:        $(ratio "$T_du_each" "$T_kflint_each")  (target >= 100x: $verdict)"
    echo "dockerfile-utils per file / kflint one process:     $(ratio "$T_du_each" "$T_kflint_all")"
    echo "dockerfile-utils per file / /bin/true per file:     $(ratio "$T_du_each" "$T_true_each")  (ceiling for any one-process-per-file tool)"
    echo "dockerfile-utils validate() 1 proc / kflint 1 proc: $(ratio "$T_du_lib" "$T_kflint_all")"
    echo "dockerfile-utils lint: failed on $F_du_each of $nfiles files (crash: status > 1 or stderr output); library threw on $F_du_lib"
    if (( F_du_each > 0 )); then
        head -n 5 "$tmp/du-failed" | sed "s|^$corpus/|  e.g. |"
    fi
    echo "dockerfile-utils lint: reported errors (exit 1) in $E_du_each of $nfiles files; library: $E_du_lib, same files: $du_agree"
    echo "dockerfile-utils validate(): $du_lib_diags diagnostic(s) in all; kflint: $kflint_diags"
else
    echo "dockerfile-utils: $du_note"
fi
if (( sc )); then
    echo "kflint WITH ShellCheck / kflint without:           $(ratio "$T_kflint_sc" "$T_kflint_all")"
    sc_ms=$(awk -v a="$T_kflint_sc" -v b="$T_kflint_all" -v n="$sc_calls" \
        'BEGIN { if (n > 0) printf "%.2f", (a - b) / 1e3 / n; else printf "n/a" }')
    echo "ShellCheck: $sc_calls shellcheck process(es) for $nfiles files, about $sc_ms ms each; $sc_diags SC diagnostic(s)"
else
    echo "ShellCheck: $sc_note"
fi
exit 0
