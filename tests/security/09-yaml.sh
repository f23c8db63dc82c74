# 09-yaml.sh - finding 9: YAML discovery was quadratic. libyaml's loader
# looked every anchor and alias up in a list (40,000 anchors: 7-20 s,
# 200,000: minutes), its scanner checks every open flow level for each
# token (200,000 nested '[': minutes), and locating each image walked its
# line from the start (50,000 images on one line: minutes). Now one loader
# (src/yamlload.c) reads libyaml's events with limits checked before
# anything is built, an anchor table with O(1) look-ups, and walks that
# follow aliases have a budget. Each hostile file must be read within a
# second (4 s here, for a loaded machine and the sanitizer build; timeout 10 guards against a hang),
# with its exact warning, and the images before the limit still count.
Y=$T/yaml9
mkdir -p "$Y"

# a Pod, then a new document: seven lines whose image counts
pod() {
	printf 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    image: redis:7\n---\n'
}

# yaml_time NAME WANT-STATUS CMD...: runs CMD in $Y under timeout 10 (output
# in $T/out and $T/err); it must exit WANT-STATUS in under 4 s
yaml_time() {
	name=$1 want=$2
	shift 2
	t0=$(date +%s%N)
	(cd "$Y" && timeout 10 "$@") >"$T/out" 2>"$T/err"
	got=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	if [ "$got" -eq "$want" ] && [ "$ms" -lt 4000 ]; then
		ok "yaml $name: exit $got in under 4 s"
	else
		not_ok "yaml $name: exit $got after $ms ms (expected $want, under 4000 ms)"
		head -c 600 "$T/err" | sed 's/^/# /'
	fi
}

# yaml_case NAME WANT-STATUS WANT-ERR IMAGE...: kfc imagelist $Y/NAME.yaml
# gives exactly WANT-ERR (one line, or "" for none) and the IMAGEs
yaml_case() {
	name=$1 want=$2 wanterr=$3
	shift 3
	yaml_time "$name" "$want" "$KFC" imagelist "$name.yaml"
	if [ -n "$wanterr" ]; then printf '%s\n' "$wanterr" >"$T/want"; else : >"$T/want"; fi
	compare "$T/want" "$T/err" "yaml $name: the warning"
	: >"$T/want"
	[ $# -eq 0 ] || printf '%s\n' "$@" >"$T/want"
	compare "$T/want" "$T/out" "yaml $name: the images"
}

lim='warning: YAML over a limit'
after='images after this point are not counted [KF308]'

# 40,000 anchors and 40,000 aliases: within the limits, read whole
{
	printf 'img: &img busybox:1.36\n'
	awk 'BEGIN { for (i = 0; i < 40000; i++) printf "a%d: &a%d x\n", i, i
		for (i = 0; i < 40000; i++) printf "b%d: *a%d\n", i, i }'
	printf 'spec:\n  containers:\n  - image: *img\n'
} >"$Y/anchors-40k.yaml"
yaml_case anchors-40k 0 "" docker.io/library/busybox:1.36

# 200,000 anchors: the 100,001st is over the limit
{ pod; awk 'BEGIN { for (i = 0; i < 200000; i++) printf "- &a%d x\n", i }'; } >"$Y/anchors-200k.yaml"
yaml_case anchors-200k 1 "anchors-200k.yaml:100008:3: $lim: more than 100000 anchors in a document; $after" \
	docker.io/library/redis:7

# 200,000 nested '[' and '{a: ': the 65th flow level is over the limit
{ pod; awk 'BEGIN { for (i = 0; i < 200000; i++) printf "["; for (i = 0; i < 200000; i++) printf "]"; print "" }'; } \
	>"$Y/flow-seq.yaml"
yaml_case flow-seq 1 "flow-seq.yaml:8:65: $lim: flow collections nested deeper than 64 levels; $after" \
	docker.io/library/redis:7
{ pod; awk 'BEGIN { for (i = 0; i < 200000; i++) printf "{a: "; printf "x"; for (i = 0; i < 200000; i++) printf "}"; print "" }'; } \
	>"$Y/flow-map.yaml"
yaml_case flow-map 1 "flow-map.yaml:8:257: $lim: flow collections nested deeper than 64 levels; $after" \
	docker.io/library/redis:7

# block nesting: 200,000 '- ' on a line, and 300 indented mappings; the
# 257th level is over the limit
{ pod; awk 'BEGIN { for (i = 0; i < 200000; i++) printf "- "; print "x" }'; } >"$Y/block-seq.yaml"
yaml_case block-seq 1 "block-seq.yaml:8:513: $lim: nested deeper than 256 levels; $after" docker.io/library/redis:7
{ pod; awk 'BEGIN { for (i = 0; i < 300; i++) { for (j = 0; j < i; j++) printf " "; print "a:" } }'; } \
	>"$Y/block-map.yaml"
yaml_case block-map 1 "block-map.yaml:264:257: $lim: nested deeper than 256 levels; $after" docker.io/library/redis:7

# a billion laughs: ten aliases of ten aliases of … ten scalars; the walk
# stops after a million nodes more than the document holds, and blames
# the collection whose aliases it was walking ("f: &f [*e, …]")
{
	pod
	awk 'BEGIN { print "a: &a [x, x, x, x, x, x, x, x, x, x]"
		for (i = 1; i < 10; i++) {
			printf "%c: &%c [", 97 + i, 97 + i
			for (j = 0; j < 10; j++) printf "%s*%c", j ? ", " : "", 96 + i
			print "]"
		}
		print "spec: {containers: [{image: nginx}]}" }'
} >"$Y/bomb.yaml"
yaml_case bomb 1 "bomb.yaml:13:4: $lim: more than 1000000 nodes visited through aliases; the rest of the file is not searched [KF308]" \
	docker.io/library/redis:7

# 50,000 images on one line: each located in time
awk 'BEGIN { printf "{spec: {containers: ["; for (i = 0; i < 50000; i++) printf "{image: busybox}, "; print "{image: redis}]}}" }' \
	>"$Y/long-line.yaml"
yaml_case long-line 0 "" docker.io/library/busybox:latest docker.io/library/redis:latest

# a single 15 MB scalar as an image
{
	printf 'kind: Pod\nspec:\n  containers:\n  - image: '
	awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "aaaaaaaaaaaaaaa"; print "" }'
} >"$Y/long-scalar.yaml"
a80=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
yaml_case long-scalar 1 "long-scalar.yaml:4:12: warning: '$a80' is not an image reference: the name is longer than 255 characters [KF304]"

# a recursive alias (a collection that contains itself) is refused, as
# Kubernetes refuses it
{ pod; printf 'a: &a\n  b: *a\n'; } >"$Y/recursive.yaml"
yaml_case recursive 1 \
	"recursive.yaml:9:6: warning: not valid YAML: found recursive alias; images after this point are not counted [KF301]" \
	docker.io/library/redis:7

# .kflint.yaml is read by the same loader
printf 'FROM scratch\n' >"$Y/Kubefile"
{ printf 'ignored: '; awk 'BEGIN { for (i = 0; i < 200000; i++) printf "["; for (i = 0; i < 200000; i++) printf "]"; print "" }'; } \
	>"$Y/deep.kflint.yaml"
yaml_time kflint-config 2 "$KFLINT" --config=deep.kflint.yaml Kubefile
printf 'kflint: deep.kflint.yaml:1:74: YAML over a limit: flow collections nested deeper than 64 levels\n' >"$T/want"
compare "$T/want" "$T/err" "yaml kflint-config: the error"

# a list of 100,000 rule codes, then 3,000 keys naming it again: the walk
# stops after a million visits more than the file's nodes, at the key
{
	printf 'ignored: &l ['
	awk 'BEGIN { for (i = 0; i < 100000; i++) printf "KF1%02d, ", 1 + i % 20; print "KF101]"
		for (i = 0; i < 3000; i++) print "ignored: *l" }'
} >"$Y/aliases.kflint.yaml"
yaml_time kflint-aliases 2 "$KFLINT" --config=aliases.kflint.yaml Kubefile
printf 'kflint: aliases.kflint.yaml:12:1: YAML over a limit: more than 1000000 nodes visited through aliases\n' >"$T/want"
compare "$T/want" "$T/err" "yaml kflint-aliases: the error"

# a chart's values of 200,000 keys (the last 'k5' wins, as in helm), and
# 20,000 look-ups of a missing one: each looked up in constant time
mkdir -p "$Y/chart/templates"
printf 'apiVersion: v2\nname: big\nversion: 0.1.0\n' >"$Y/chart/Chart.yaml"
{ awk 'BEGIN { for (i = 0; i < 200000; i++) printf "k%d: v\n", i }'; printf 'k5: redis:7\n'; } >"$Y/chart/values.yaml"
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "a%d: {{ .Values.nope }}\n", i }' >"$Y/chart/templates/cm.yaml"
printf 'kind: Pod\nspec:\n  containers:\n  - image: {{ .Values.k5 }}\n  - image: {{ .Values.k199999 }}\n' \
	>"$Y/chart/templates/pod.yaml"
yaml_time chart-values 0 "$KFC" imagelist chart
: >"$T/want"
compare "$T/want" "$T/err" "yaml chart-values: no warning"
printf '%s\n' docker.io/library/redis:7 docker.io/library/v:latest >"$T/want"
compare "$T/want" "$T/out" "yaml chart-values: the images"

# a template include bomb: each define calls the next ten times, seven deep
# (ten million calls, ten million bytes); the template stops at the limit of
# the values its execution makes (KF309, at the include in cm.yaml, with
# Go's chain of calls), and the images of the other templates still count
mkdir -p "$Y/bomb/templates"
printf 'apiVersion: v2\nname: bomb\nversion: 0.1.0\n' >"$Y/bomb/Chart.yaml"
printf 'image: redis:7\n' >"$Y/bomb/values.yaml"
awk 'BEGIN { for (d = 0; d < 7; d++) { printf "{{- define \"d%d\" -}}", d
	for (k = 0; k < 10; k++) printf "{{ include \"d%d\" . }}", d + 1; print "{{- end }}" }
	print "{{- define \"d7\" -}}x{{- end }}" }' >"$Y/bomb/templates/_helpers.tpl"
printf 'kind: ConfigMap\ndata:\n  a: "{{ include "d0" . }}"\n' >"$Y/bomb/templates/cm.yaml"
printf 'kind: Pod\nspec:\n  containers:\n  - image: {{ .Values.image }}\n' >"$Y/bomb/templates/pod.yaml"
yaml_time template-bomb 1 "$KFC" imagelist bomb
printf 'bomb/templates/cm.yaml:3:9: warning: rendering stopped at discovery's limit: executing "bomb/templates/cm.yaml" at <include "d0" .>: … exceeded the limit of 67108864 bytes of values; the images of templates/cm.yaml are not counted [KF309]\n' >"$T/want"
head -1 "$T/err" | sed 's/ at <include "d0" \.>: error calling include: .*: exceeded the limit/ at <include "d0" .>: … exceeded the limit/' >"$T/got"
compare "$T/want" "$T/got" "yaml template-bomb: KF309"
printf '%s\n' docker.io/library/redis:7 >"$T/want"
compare "$T/want" "$T/out" "yaml template-bomb: the other template's image"
