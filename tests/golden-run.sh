# golden-run.sh - how a golden case's outputs are made; sourced by
# golden.sh (to compare) and regen.sh (to write). Runs in the case's
# directory so that paths in the outputs are the case's file name.
#   golden_outputs CASE.kubefile OUTDIR
golden_outputs() {
	local in=$1 out=$2 base rc
	base=$(basename "$in" .kubefile)
	(
		cd "$(dirname "$in")" || exit 99
		rc=0
		${KF_WRAP:-} "$KFC" parse --dump=buildkit --color=never "$base.kubefile" \
			>"$out/$base.dump" 2>"$out/$base.diag" || rc=$?
		echo "exit: $rc" >>"$out/$base.diag"
		${KF_WRAP:-} "$KFC" parse --dump=json "$base.kubefile" >"$out/$base.json" 2>/dev/null || true
	)
}
