# 13-charts.sh - hostile charts for helm's render model (src/discovery/chart.c):
# subcharts nested without end, as folders and as .tgz inside .tgz, and a
# subchart whose values.yaml is an alias bomb. Loading stops at 8 levels with a
# located warning (KF312) and the images of the levels above still count; the
# bomb is refused by the values decoder (KF308), the parent still renders. The
# line emulator this replaces walked 6 levels and said nothing of the rest.
C=$T/charts13
mkdir -p "$C"

# twelve levels of folders: c0/charts/c1/charts/c2/...
d=$C/deep/c0
for i in 0 1 2 3 4 5 6 7 8 9 10 11; do
	mkdir -p "$d/templates"
	printf 'apiVersion: v2\nname: c%d\nversion: 0.1.0\n' "$i" >"$d/Chart.yaml"
	printf 'kind: Pod\nspec:\n  containers:\n  - image: lv%d:1\n' "$i" >"$d/templates/pod.yaml"
	d=$d/charts/c$((i + 1))
done
expect_status 1 "charts deep folders: exit 1" sh -c "cd '$C/deep' && timeout 10 '$KFC' imagelist c0"
expect_err "c0/charts/c1/charts/c2/charts/c3/charts/c4/charts/c5/charts/c6/charts/c7/charts/c8:1:1: warning: subcharts nested deeper than 8 levels are not read [KF312]" \
	"charts deep folders: KF312 where loading stopped"
printf 'docker.io/library/lv%d:1\n' 7 6 5 4 3 2 1 0 >"$T/want"
compare "$T/want" "$T/out" "charts deep folders: the images of the 8 levels read"

# twelve levels of packaged charts, each in the charts/ of the one above
mkdir -p "$C/tgz"
prev=
for i in 11 10 9 8 7 6 5 4 3 2 1 0; do
	(
		cd "$C/tgz" || exit 1
		mkdir -p "c$i/templates" "c$i/charts"
		printf 'apiVersion: v2\nname: c%d\nversion: 0.1.0\n' "$i" >"c$i/Chart.yaml"
		printf 'kind: Pod\nspec:\n  containers:\n  - image: tz%d:1\n' "$i" >"c$i/templates/pod.yaml"
		[ -z "$prev" ] || mv "$prev" "c$i/charts/"
		tar -cf - "c$i" | gzip -n >"c$i-0.1.0.tgz"
		rm -rf "c$i"
	)
	prev=c$i-0.1.0.tgz
done
expect_status 1 "charts deep archives: exit 1" sh -c "cd '$C/tgz' && timeout 10 '$KFC' imagelist c0-0.1.0.tgz"
expect_err "c0-0.1.0.tgz!/c0/charts/c1-0.1.0.tgz!/c1/charts/c2-0.1.0.tgz!/c2/charts/c3-0.1.0.tgz!/c3/charts/c4-0.1.0.tgz!/c4/charts/c5-0.1.0.tgz!/c5/charts/c6-0.1.0.tgz!/c6/charts/c7-0.1.0.tgz!/c7/charts/c8-0.1.0.tgz:1:1: warning: subcharts nested deeper than 8 levels are not read [KF312]" \
	"charts deep archives: KF312 where loading stopped"
printf 'docker.io/library/tz%d:1\n' 7 6 5 4 3 2 1 0 >"$T/want"
compare "$T/want" "$T/out" "charts deep archives: the images of the 8 levels read"

# a subchart's values.yaml of ten aliases of ten aliases ... nine deep
mkdir -p "$C/bomb/ab/templates" "$C/bomb/ab/charts/sub/templates"
printf 'apiVersion: v2\nname: ab\nversion: 0.1.0\n' >"$C/bomb/ab/Chart.yaml"
printf 'kind: Pod\nspec:\n  containers:\n  - image: parent:1\n' >"$C/bomb/ab/templates/pod.yaml"
printf 'apiVersion: v2\nname: sub\nversion: 0.1.0\n' >"$C/bomb/ab/charts/sub/Chart.yaml"
printf 'kind: Pod\nspec:\n  containers:\n  - image: sub:1\n' >"$C/bomb/ab/charts/sub/templates/pod.yaml"
awk 'BEGIN { print "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"
	for (i = 1; i < 10; i++) { printf "a%d: &a%d [*a%d", i, i, i - 1; for (k = 1; k < 10; k++) printf ", *a%d", i - 1; print "]" } }' \
	>"$C/bomb/ab/charts/sub/values.yaml"
expect_status 1 "charts values bomb: exit 1" sh -c "cd '$C/bomb' && timeout 10 '$KFC' imagelist ab"
expect_err "ab/charts/sub/values.yaml:1:28: warning: YAML over a limit: document contains excessive aliasing; the chart is not rendered [KF308]" \
	"charts values bomb: KF308 in the subchart's values"
printf 'docker.io/library/parent:1\n' >"$T/want"
compare "$T/want" "$T/out" "charts values bomb: the parent's image"

# a chart whose values.yaml is not YAML is not rendered (helm refuses it),
# the next chart is; found by fuzz_chart: the templates already read leaked
mkdir -p "$C/badvalues/bad/templates" "$C/badvalues/good/templates"
printf 'apiVersion: v2\nname: bad\nversion: 0.1.0\n' >"$C/badvalues/bad/Chart.yaml"
printf 'kind: Pod\nspec:\n  containers:\n  - image: bad:1\n' >"$C/badvalues/bad/templates/pod.yaml"
printf 'a: [unclosed\n' >"$C/badvalues/bad/values.yaml"
printf 'apiVersion: v2\nname: good\nversion: 0.1.0\n' >"$C/badvalues/good/Chart.yaml"
printf 'kind: Pod\nspec:\n  containers:\n  - image: good:1\n' >"$C/badvalues/good/templates/pod.yaml"
expect_status 1 "charts bad values: exit 1" sh -c "cd '$C/badvalues' && timeout 10 ${KF_WRAP:-} '$KFC' imagelist bad good"
# exactly this warning: under the sanitizer build a leak report would follow
printf "bad/values.yaml:2:1: warning: not valid YAML: did not find expected ',' or ']'; helm refuses the chart [KF301]\n" >"$T/want"
compare "$T/want" "$T/err" "charts bad values: KF301 in values.yaml, and nothing else on standard error"
printf 'docker.io/library/good:1\n' >"$T/want"
compare "$T/want" "$T/out" "charts bad values: the other chart's image"
