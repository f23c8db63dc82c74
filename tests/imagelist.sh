#!/bin/sh
# kfc imagelist (docs/imagelist.md):
#  (a) every manifest and chart of tests/corpus/manifests gives exactly the
#      images of its EXPECTED.tsv rows, in order, after the normalisation of
#      docs/language.md (done here in awk, apart from kfc), no warning, and none of
#      its AMBIGUOUS.tsv values that EXPECTED.tsv does not list;
#  (b) golden text and JSON output of tests/golden/imagelist/cases (a chart
#      with subchart overrides, a packaged .tgz chart made here, lists,
#      Kubefiles, a rootfs); helm's render model on cases/model (conditions,
#      tags, an alias, import-values, a library chart, .helmignore, .Files,
#      .Capabilities, hooks, lookup, required): --render's output (checked
#      against helm v3.8.1's `helm template dryrun model --namespace default
#      --set must=needs/img:2` when it was written), -f and --set; the sealos
#      dialect on cases/sealosctx (sidecar values, images/shim, .sealignore);
#  (c) malformed YAML, binary and huge files: located warnings, and the
#      images of the other files are still listed;
#  (d) images without a tag or with :latest: a warning in image lists and
#      IMAGES, none in manifests.
# With --regen, rewrites the golden files of (b).
# KF_WRAP (e.g. "valgrind --error-exitcode=3 --leak-check=full") wraps kfc.
. "$(dirname "$0")/lib.sh"

corpus=$KF_TESTDATA/corpus/manifests
gold=$KF_TESTDATA/golden/imagelist
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# docs/language.md: a first component with "." or ":", or localhost, is a registry,
# else docker.io; one component on docker.io gets library/; no tag and no
# digest gets :latest
normalise() {
	awk '{
		ref = $0; digest = ""
		at = index(ref, "@")
		if (at) { digest = substr(ref, at); ref = substr(ref, 1, at - 1) }
		name = ref; tag = ""
		n = split(ref, parts, "/")
		last = parts[n]; c = index(last, ":")
		if (c) { tag = substr(last, c); name = substr(ref, 1, length(ref) - length(last) + c - 1) }
		slash = index(name, "/")
		first = slash ? substr(name, 1, slash - 1) : ""
		if (slash && (first ~ /[.:]/ || first == "localhost")) {
			domain = first; path = substr(name, slash + 1)
		} else {
			domain = "docker.io"; path = name
		}
		if (domain == "docker.io" && index(path, "/") == 0) path = "library/" path
		if (tag == "" && digest == "") tag = ":latest"
		print domain "/" path tag digest
	}'
}

# the chart .tgz of (b), made reproducibly from a copied chart
make_tgz() {
	(cd "$gold/cases" && tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 \
		-cf - -C packaged mychart) | gzip -n >"$1"
}

# (b) first, so that --regen needs nothing else
cases=$tmp/cases
cp -r "$gold/cases" "$cases"
rm -rf "$cases/packaged"
make_tgz "$cases/mychart-0.1.0.tgz"
run_case() { # NAME ARGS... : stdout to $tmp/NAME.out, stderr to $tmp/NAME.err
	name=$1
	shift
	(cd "$cases" && ${KF_WRAP:-} "$KFC" imagelist "$@") >"$tmp/$name.out" 2>"$tmp/$name.err"
	echo "exit $?" >>"$tmp/$name.err"
}
run_case text kubefile manifests webapp mychart-0.1.0.tgz
run_case json --format=json kubefile manifests webapp mychart-0.1.0.tgz
run_case rootfs --format=json --rootfs rootfs
run_case list --image-list extra-images.txt kubefile/Kubefile
run_case render --render model --set must=needs/img:2
run_case render-refused --render model
run_case model --format=json -f model-values.yaml --set must=needs/img:2,sub.image.tag=3.0 model
run_case sealos --dialect=sealos sealosctx
for n in text json rootfs list render render-refused model sealos; do
	if [ "${1:-}" = "--regen" ]; then
		cp "$tmp/$n.out" "$gold/$n.out"
		cp "$tmp/$n.err" "$gold/$n.err"
	else
		compare "$gold/$n.out" "$tmp/$n.out" "golden: $n output"
		compare "$gold/$n.err" "$tmp/$n.err" "golden: $n warnings and exit status"
	fi
done
if [ "${1:-}" = "--regen" ]; then
	echo "wrote $gold"
	exit 0
fi

# (a) the corpus
tail -n +2 "$corpus/EXPECTED.tsv" | cut -f1 | uniq >"$tmp/files"
while read -r f; do
	awk -F'\t' -v f="$f" '$1 == f && $2 != "" { print $2 }' "$corpus/EXPECTED.tsv" | normalise >"$tmp/want"
	rc=0
	${KF_WRAP:-} "$KFC" imagelist "$corpus/$f" >"$tmp/got" 2>"$tmp/err" || rc=$?
	if [ "$rc" -ne 0 ] || [ -s "$tmp/err" ]; then
		not_ok "corpus $f: exit status $rc"
		sed 's/^/# /' "$tmp/err" | head -5
		continue
	fi
	compare "$tmp/want" "$tmp/got" "corpus $f: $(wc -l <"$tmp/want") images as EXPECTED.tsv"
	# an AMBIGUOUS.tsv value counts only where EXPECTED.tsv lists it too
	awk -F'\t' -v f="$f" '$1 == f { print $2 }' "$corpus/AMBIGUOUS.tsv" | normalise | sort -u >"$tmp/amb"
	if [ -s "$tmp/amb" ]; then
		bad=$(sort -u "$tmp/got" | comm -12 - "$tmp/amb" | sort | comm -23 - "$(sort -u "$tmp/want" >"$tmp/wants"; echo "$tmp/wants")")
		if [ -z "$bad" ]; then
			ok "corpus $f: no AMBIGUOUS.tsv value ($(wc -l <"$tmp/amb")) counted as a workload image"
		else
			not_ok "corpus $f: AMBIGUOUS.tsv values counted: $bad"
		fi
	fi
done <"$tmp/files"
# the whole corpus in one run: the union, each image once
${KF_WRAP:-} "$KFC" imagelist "$corpus" >"$tmp/all" 2>"$tmp/err"
rc=$?
tail -n +2 "$corpus/EXPECTED.tsv" | awk -F'\t' '$2 != "" { print $2 }' | normalise | sort -u >"$tmp/want"
sort "$tmp/all" >"$tmp/got"
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ]; then ok "corpus folder: exit status 0, no warning"; else not_ok "corpus folder: exit status $rc"; fi
compare "$tmp/want" "$tmp/got" "corpus folder: the union of EXPECTED.tsv, each image once"

# (c) broken inputs beside good ones
b=$tmp/broken
mkdir -p "$b/a" "$b/z"
printf 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    image: busybox:1.36\n' >"$b/a/good.yaml"
printf 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    image: redis:7\n---\nkind: Pod\nspec: [unclosed\n  containers: x\n' >"$b/a/bad.yaml"
printf 'kind: Pod\nspec:\n  containers:\n  - image: "x\0y"\n' >"$b/a/binary.yaml"
: >"$b/a/huge.yaml"
truncate -s 17M "$b/a/huge.yaml"
printf 'alpine:3.19\n\n# a comment\nNot/Valid\n  quay.io/a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n' >"$b/z/imageList"
rc=0
${KF_WRAP:-} "$KFC" imagelist "$b/a" "$b/z" >"$tmp/out" 2>"$tmp/err" || rc=$?
printf '%s\n' docker.io/library/redis:7 docker.io/library/busybox:1.36 docker.io/library/alpine:3.19 \
	quay.io/a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef >"$tmp/want"
compare "$tmp/want" "$tmp/out" "broken files: the images of the good files and of the good part of bad.yaml"
sed "s|$b/||" "$tmp/err" >"$tmp/errs"
cat >"$tmp/want" <<'EOW'
a/bad.yaml:10:13: warning: not valid YAML: did not find expected ',' or ']' while parsing a flow sequence; images after this point are not counted [KF301]
a/binary.yaml:4:14: warning: binary file (a NUL byte here); not searched for images [KF302]
a/huge.yaml:1:1: warning: the file is larger than 16 MiB; not searched for images [KF303]
z/imageList:4:1: warning: 'Not/Valid' is not an image reference: the name must be lower case [KF304]
EOW
compare "$tmp/want" "$tmp/errs" "broken files: one located warning each"
if [ "$rc" -eq 1 ]; then ok "broken files: exit status 1"; else not_ok "broken files: exit status $rc"; fi

# (d) images named without a tag or with :latest: a warning in image lists
# and IMAGES words (where a person chose the name), none in manifests
m=$tmp/moving
mkdir -p "$m/manifests" "$m/k"
printf 'nginx\n  redis:latest \nalpine:3.19\nlocalhost:5000/a/b\nquay.io/a/b@sha256:%s\nbusybox:latest@sha256:%s\nnginx\n' \
	0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef \
	0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef >"$m/manifests/imageList"
printf 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    image: httpd\n  - name: b\n    image: httpd:latest\n' \
	>"$m/manifests/pod.yaml"
printf 'FROM scratch\nIMAGES memcached:1.6 memcached\nIMAGES ["etcd:latest", "etcd:3.5"]\n' >"$m/k/Kubefile"
printf 'traefik\n' >"$m/extra.txt"
rc=0
(cd "$m" && ${KF_WRAP:-} "$KFC" imagelist --image-list extra.txt manifests k) >"$tmp/out" 2>"$tmp/err" || rc=$?
hint='pin a version or a digest; :latest moves, so the build is not reproducible and an offline rebuild (--pull=never) may resolve it to another image'
cat >"$tmp/want" <<EOW
manifests/imageList:1:1: warning: image 'nginx' has no tag: $hint [KF310]
manifests/imageList:2:3: warning: image 'redis:latest' uses :latest: $hint [KF310]
manifests/imageList:4:1: warning: image 'localhost:5000/a/b' has no tag: $hint [KF310]
manifests/imageList:7:1: warning: image 'nginx' has no tag: $hint [KF310]
k/Kubefile:2:22: warning: image 'memcached' has no tag: $hint [KF310]
k/Kubefile:3:9: warning: image 'etcd:latest' uses :latest: $hint [KF310]
extra.txt:1:1: warning: image 'traefik' has no tag: $hint [KF310]
EOW
compare "$tmp/want" "$tmp/err" "moving tags: a warning for each in lists and IMAGES, none in manifests"
if [ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/out")" -eq 12 ]; then ok "moving tags: exit status 1, every image listed"; else
	not_ok "moving tags: exit status $rc, $(wc -l <"$tmp/out") images"; fi

# usage
rc=0
"$KFC" imagelist --format=xml . >/dev/null 2>"$tmp/err" || rc=$?
if [ "$rc" -eq 2 ] && grep -q "unknown format 'xml'" "$tmp/err"; then ok "usage: unknown format"; else not_ok "usage: unknown format ($rc)"; fi
rc=0
"$KFC" imagelist >/dev/null 2>&1 || rc=$?
if [ "$rc" -eq 2 ]; then ok "usage: no path"; else not_ok "usage: no path ($rc)"; fi
# helm's -f and --set refused as helm refuses them, --render of one chart
usage_case() { # NAME WANT-ERR-LINE ARGS...
	name=$1 want=$2
	shift 2
	rc=0
	(cd "$cases" && "$KFC" imagelist "$@") >/dev/null 2>"$tmp/err" || rc=$?
	if [ "$rc" -eq 2 ] && [ "$(head -1 "$tmp/err")" = "$want" ]; then ok "usage: $name"; else
		not_ok "usage: $name ($rc: $(head -1 "$tmp/err"))"; fi
}
printf -- '- a\n' >"$cases/list-values.yaml"
usage_case "--set index" "kfc imagelist: failed parsing --set data: error parsing index: EOF" --set 'a[' model
usage_case "--set no value" "kfc imagelist: failed parsing --set data: key \"b\" has no value" --set 'a=1,b' model
usage_case "-f not a map" "kfc imagelist: failed to parse list-values.yaml: error unmarshaling JSON: json: cannot unmarshal array into Go value of type map[string]interface {}" -f list-values.yaml model
usage_case "--render two charts" "kfc imagelist: --render takes one chart and no other option than -f and --set" --render model webapp
usage_case "--dialect" "kfc imagelist: unknown dialect 'helm' (sealos or sealer)" --dialect=helm model
finish
