#!/bin/sh
# manifest.sh - images of several platforms: kfc build --platform A,B (an
# OCI image index in the store, in oci: and oci-archive: outputs, pushed with
# --push), the refusal to replace another platform's image at an oci:DIR:TAG,
# and kfc manifest create/add/remove/inspect/push/rm; checked with skopeo,
# umoci, oci-verify.py and Debian's docker-registry on 127.0.0.1 (plain HTTP,
# a random free port).
. "$(dirname "$0")/lib.sh"
. "$KF_SRCDIR/tests/oci-lib.sh"
. "$KF_SRCDIR/tests/registry-lib.sh"

for t in skopeo umoci docker-registry; do
	command -v "$t" >/dev/null 2>&1 || { echo "$t not found: skipped"; oci_cleanup; exit 77; }
done

T=$(mktemp -d)
trap 'oci_cleanup; rm -rf "$T"' EXIT
export KFC_STORE="$T/store"
SDE=1700000000
build() { SOURCE_DATE_EPOCH=$SDE "$KFC" build --progress=quiet "$@"; }
show() { sed 's/^/# /' "$@"; }

# py EXPR-FILE ARGS...: runs a python snippet from stdin with ARGS
py() { "$OCI_PYTHON" - "$@"; }

# the image differs by platform: a file under its architecture, a label
mkdir -p "$T/ctx"
printf 'FROM scratch\nARG TARGETARCH\nCOPY f /files/${TARGETARCH}/f\nLABEL arch=${ARCH}\n' >"$T/ctx/Kubefile"
echo hello >"$T/ctx/f"

# ---- kfc build --platform A,B ------------------------------------------------------------------------
SOURCE_DATE_EPOCH=$SDE "$KFC" build --progress=plain --platform linux/amd64,linux/arm64 -t app:v1 \
	-o "oci:$T/out:v1" -o "oci-archive:$T/out.tar:v1" "$T/ctx" >"$T/multi.out" 2>"$T/multi.err"
rc=$?
idx=$(cat "$T/multi.out")
amd=$(build --platform linux/amd64 "$T/ctx" 2>"$T/one.err")
arm=$(build --platform linux/arm64 "$T/ctx" 2>>"$T/one.err")
if [ $rc -eq 0 ] && [ -n "$amd" ] && [ -n "$arm" ] && [ "$amd" != "$arm" ]; then
	ok "a build for two platforms, and one for each"
else
	not_ok "two-platform build: exit $rc, '$idx' '$amd' '$arm'"; show "$T/multi.err" "$T/one.err"
fi
# the index in the store: the two images, of these exact platforms, each the
# image a build for that platform alone makes
"$KFC" manifest inspect app:v1 >"$T/app.json" 2>"$T/err"
py "$T/app.json" "$amd" "$arm" >"$T/got" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
print(d["schemaVersion"], d["mediaType"])
for m in d["manifests"]:
    print(m["mediaType"], m["digest"] == sys.argv[2] and "amd" or m["digest"] == sys.argv[3] and "arm" or m["digest"],
          m["size"] > 0, json.dumps(m["platform"], sort_keys=True), sorted(m))
EOF
cat >"$T/want" <<'EOF'
2 application/vnd.oci.image.index.v1+json
application/vnd.oci.image.manifest.v1+json amd True {"architecture": "amd64", "os": "linux"} ['digest', 'mediaType', 'platform', 'size']
application/vnd.oci.image.manifest.v1+json arm True {"architecture": "arm64", "os": "linux"} ['digest', 'mediaType', 'platform', 'size']
EOF
compare "$T/want" "$T/got" "the index in the store: both images, each as its own build makes it, with its platform"
# same_json A B: the two files hold the same JSON
same_json() {
	py "$1" "$2" <<'EOF'
import json, sys
sys.exit(0 if json.load(open(sys.argv[1])) == json.load(open(sys.argv[2])) else 1)
EOF
}
if [ "$(oci_sha256 "$T/store/blobs/sha256/${idx#sha256:}")" = "$idx" ] &&
	same_json "$T/app.json" "$T/store/blobs/sha256/${idx#sha256:}"; then
	ok "kfc build prints the index's digest; kfc manifest inspect prints that blob"
else
	not_ok "the index's digest $idx"
fi
# what each image holds: its architecture in its config, label and file
for p in amd64 arm64; do
	d=$amd
	[ $p = arm64 ] && d=$arm
	"$KFC" inspect --format=json --platform="linux/$p" app:v1 >"$T/i.json" 2>"$T/err"
	got=$(py "$T/i.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
print(j["digest"], j["config"]["architecture"], j["config"]["config"]["Labels"]["arch"])
EOF
)
	if [ "$got" = "$d $p $p" ]; then
		ok "kfc inspect --platform=linux/$p app:v1: that image, ARCH $p"
	else
		not_ok "kfc inspect --platform=linux/$p: '$got'"; show "$T/err"
	fi
done
# what the build shows: each platform as it begins, the index at the end
grep -e '^platform ' -e '^built ' "$T/multi.err" | sed 's/sha256:[0-9a-f]*/DIGEST/; s/in [0-9.]*s/in Ns/' >"$T/got"
printf '%s\n' 'platform linux/amd64 (1/2)' 'platform linux/arm64 (2/2)' 'built DIGEST (an index) in Ns as app:v1' >"$T/want"
compare "$T/want" "$T/got" "the progress names each platform as its build begins"
if ! grep -q '^platform ' "$T/one.err" && [ ! -s "$T/one.err" ]; then
	ok "one platform: a single build, no platform line"
else
	not_ok "one platform"; show "$T/one.err"
fi
SOURCE_DATE_EPOCH=$SDE "$KFC" build --progress=plain --platform linux/amd64 -t one:plain "$T/ctx" >"$T/o.out" 2>"$T/o.err"
if [ "$(cat "$T/o.out")" = "$amd" ] && ! grep -q -e '^platform ' -e 'an index' "$T/o.err" &&
	grep -q "^built $amd in [0-9.]*s as one:plain\$" "$T/o.err"; then
	ok "--platform with one platform: today's build and output"
else
	not_ok "--platform with one platform"; show "$T/o.out" "$T/o.err"
fi

# ---- the outputs: skopeo, umoci, oci-verify.py ---------------------------------------------------------
oci_skopeo inspect --raw "oci:$T/out:v1" >"$T/raw" 2>"$T/err"
if [ "$(oci_sha256 "$T/raw")" = "$idx" ] && [ "$(oci_digest "$T/out" v1)" = "$idx" ]; then
	ok "skopeo inspect --raw oci:DIR:v1 reads the index, of the store's digest"
else
	not_ok "skopeo inspect --raw oci:DIR:v1"; show "$T/err"
fi
if oci_verify "$T/out" >"$T/err" 2>&1; then
	ok "oci-verify.py: the layout with the index is sound"
else
	not_ok "oci-verify.py on the index layout"; show "$T/err"
fi
oci_skopeo inspect --raw "oci-archive:$T/out.tar:v1" >"$T/raw2" 2>"$T/err"
if [ "$(oci_sha256 "$T/raw2")" = "$idx" ]; then
	ok "the oci-archive output holds the index"
else
	not_ok "skopeo inspect --raw oci-archive:"; show "$T/err"
fi
if oci_skopeo copy -q --all "oci:$T/out:v1" "oci:$T/copy:v1" >"$T/err" 2>&1 &&
	[ "$(oci_digest "$T/copy" v1)" = "$idx" ] && oci_verify "$T/copy" >>"$T/err" 2>&1; then
	ok "skopeo copy --all of the layout keeps the index and its digest"
else
	not_ok "skopeo copy --all"; show "$T/err"
fi
# umoci lists the tag and, walking the index, keeps every blob in gc; a
# platform's image copied out by skopeo unpacks with its own file
cp -a "$T/out" "$T/gc"
ls "$T/gc/blobs/sha256" >"$T/before"
if [ "$(umoci ls --layout "$T/out" 2>"$T/err")" = v1 ] && umoci gc --layout "$T/gc" >>"$T/err" 2>&1 &&
	ls "$T/gc/blobs/sha256" | cmp -s "$T/before" -; then
	ok "umoci ls lists the index's tag; umoci gc reaches all its blobs"
else
	not_ok "umoci ls / gc"; show "$T/err"
fi
for p in amd64 arm64; do
	if oci_skopeo copy -q --override-arch $p "oci:$T/out:v1" "oci:$T/one-$p:v1" >"$T/err" 2>&1 &&
		umoci unpack --rootless --image "$T/one-$p:v1" "$T/bundle-$p" >>"$T/err" 2>&1 &&
		[ "$(cat "$T/bundle-$p/rootfs/files/$p/f")" = hello ] && [ "$(ls "$T/bundle-$p/rootfs/files")" = $p ]; then
		ok "umoci unpacks the $p image of the index (skopeo --override-arch): /files/$p/f"
	else
		not_ok "umoci unpack of $p"; show "$T/err"
	fi
done
# kfc push NAME oci:DIR: the index too
if [ "$("$KFC" push -q app:v1 "oci:$T/pushed:v1" 2>"$T/err")" = "$idx" ] && [ "$(oci_digest "$T/pushed" v1)" = "$idx" ] &&
	oci_verify "$T/pushed" >>"$T/err" 2>&1; then
	ok "kfc push of an index to oci:DIR:TAG writes it with its images"
else
	not_ok "kfc push index oci:"; show "$T/err"
fi

# kfc save and kfc load: the index with its images
"$KFC" save -o "$T/saved.tar" app:v1 2>"$T/err"
oci_skopeo inspect --raw "oci-archive:$T/saved.tar:docker.io/library/app:v1" >"$T/s.raw" 2>>"$T/err"
loaded=$(KFC_STORE="$T/store3" "$KFC" load -i "$T/saved.tar" 2>>"$T/err")
KFC_STORE="$T/store3" "$KFC" inspect --format=json --platform=linux/arm64 app:v1 >"$T/s.json" 2>>"$T/err"
got=$(py "$T/s.json" <<'EOF' 2>>"$T/err"
import json, sys
print(json.load(open(sys.argv[1]))["digest"])
EOF
)
if [ "$(oci_sha256 "$T/s.raw")" = "$idx" ] && [ "$loaded" = "loaded app:v1 $idx" ] && [ "$got" = "$arm" ] &&
	KFC_STORE="$T/store3" "$KFC" fsck >/dev/null 2>>"$T/err"; then
	ok "kfc save and kfc load carry the index and its images"
else
	not_ok "kfc save / load of an index: '$loaded' '$got'"; show "$T/err"
fi

# ---- an oci:DIR:TAG holding another platform's image -------------------------------------------------
build --platform linux/amd64 -o "oci:$T/lay:v1" "$T/ctx" >/dev/null 2>"$T/err" || { not_ok "build to lay"; show "$T/err"; }
cp "$T/lay/index.json" "$T/lay.before"
build --platform linux/arm64 -o "oci:$T/lay:v1" "$T/ctx" >"$T/out1" 2>"$T/err"
rc=$?
printf "kfc build: oci:%s/lay:v1: the tag 'v1' holds an image for linux/amd64, which this build for linux/arm64 would replace: build them together with --platform linux/arm64,linux/amd64, or write to another tag [KF619]\n" "$T" >"$T/want"
if [ $rc -eq 1 ] && [ ! -s "$T/out1" ] && cmp -s "$T/lay.before" "$T/lay/index.json"; then
	compare "$T/want" "$T/err" "a build for arm64 to a tag of an amd64 image is refused (KF619), the layout unchanged"
else
	not_ok "the other-platform refusal: exit $rc"; show "$T/err"
fi
if build --platform linux/arm64 -o "oci:$T/lay:arm" "$T/ctx" >/dev/null 2>"$T/err" &&
	build --platform linux/amd64 -o "oci:$T/lay:v1" "$T/ctx" >/dev/null 2>>"$T/err" &&
	[ "$(oci_digest "$T/lay" arm)" = "$arm" ] && [ "$(oci_digest "$T/lay" v1)" = "$amd" ]; then
	ok "another tag, or the same platform again, is written as before"
else
	not_ok "another tag / the same platform"; show "$T/err"
fi
if [ "$(build --platform linux/amd64,linux/arm64 -o "oci:$T/lay:v1" "$T/ctx" 2>"$T/err")" = "$idx" ] &&
	[ "$(oci_digest "$T/lay" v1)" = "$idx" ] && [ "$(oci_digest "$T/lay" arm)" = "$arm" ]; then
	ok "naming both platforms replaces the amd64 image with the index"
else
	not_ok "both platforms to the tag"; show "$T/err"
fi
build --platform linux/amd64 -o "oci:$T/lay:v1" "$T/ctx" >/dev/null 2>"$T/err"
rc=$?
printf "kfc build: oci:%s/lay:v1: the tag 'v1' holds an image for linux/arm64, which this build for linux/amd64 would replace: build them together with --platform linux/amd64,linux/arm64, or write to another tag [KF619]\n" "$T" >"$T/want"
if [ $rc -eq 1 ] && [ "$(oci_digest "$T/lay" v1)" = "$idx" ]; then
	compare "$T/want" "$T/err" "one platform of an index at the tag is refused too: it would lose the other"
else
	not_ok "a single platform onto the index: exit $rc"; show "$T/err"
fi

# ---- usage errors --------------------------------------------------------------------------------------
"$KFC" build --platform linux/arm64,linux/amd64,linux/arm64/v8 "$T/ctx" >/dev/null 2>"$T/err"
rc=$?
echo 'kfc build: --platform names linux/arm64 twice (as linux/arm64/v8) [KF614]' >"$T/want"
[ $rc -eq 2 ] && compare "$T/want" "$T/err" "a platform given twice is a usage error" ||
	{ [ $rc -eq 2 ] || not_ok "a platform twice: exit $rc"; }
"$KFC" build --platform linux/amd64,linux "$T/ctx" >/dev/null 2>"$T/err"
rc=$?
echo "kfc build: platform 'linux': expected OS/ARCH[/VARIANT], such as linux/amd64 [KF614]" >"$T/want"
[ $rc -eq 2 ] && compare "$T/want" "$T/err" "a bad platform in the list: KF614" ||
	{ [ $rc -eq 2 ] || not_ok "a bad platform: exit $rc"; }

# ---- the registry: build --push, kfc manifest push, inspect docker:// ----------------------------------
registry_start_http "$T/reg" || { not_ok "registry_start_http"; finish; exit 1; }
R=$REG_ADDR
pushed=$(build --platform linux/amd64,linux/arm64 -t "$R/multi/app:v1" --push --tls-verify=false "$T/ctx" 2>"$T/err")
rc=$?
registry_inspect "docker://$R/multi/app:v1" --raw >"$T/reg.raw" 2>>"$T/err"
py "$T/reg.raw" <<'EOF' >"$T/got"
import json, sys
for m in json.load(open(sys.argv[1]))["manifests"]:
    print(m["digest"], m["platform"]["architecture"])
EOF
printf '%s amd64\n%s arm64\n' "$amd" "$arm" >"$T/want"
if [ $rc -eq 0 ] && [ "$pushed" = "$idx" ] && [ "$(oci_sha256 "$T/reg.raw")" = "$idx" ]; then
	compare "$T/want" "$T/got" "build --push: the registry has the index, of the store's digest, with both images"
else
	not_ok "build --push: exit $rc, '$pushed'"; show "$T/err"
fi
if registry_inspect "docker://$R/multi/app@$arm" --raw >"$T/arm.raw" 2>"$T/err" && [ "$(oci_sha256 "$T/arm.raw")" = "$arm" ]; then
	ok "the images of the index are in the registry by digest"
else
	not_ok "the arm64 image in the registry"; show "$T/err"
fi
if "$KFC" manifest inspect --tls-verify=false "docker://$R/multi/app:v1" >"$T/insp.reg" 2>"$T/err" &&
	"$KFC" manifest inspect app:v1 >"$T/insp.store" 2>>"$T/err" && same_json "$T/insp.reg" "$T/reg.raw"; then
	compare "$T/insp.store" "$T/insp.reg" "kfc manifest inspect docker:// prints what the store's inspect prints"
else
	not_ok "kfc manifest inspect docker://"; show "$T/err"
fi

# ---- kfc manifest --------------------------------------------------------------------------------------
build --platform linux/amd64 -t one:amd64 "$T/ctx" >/dev/null 2>"$T/err" &&
	build --platform linux/arm64 -t one:arm64 "$T/ctx" >/dev/null 2>>"$T/err" || { not_ok "the single builds"; show "$T/err"; }
empty=$("$KFC" manifest create list:v1 2>"$T/err")
rc=$?
if [ $rc -eq 0 ] && [ "$("$KFC" manifest inspect list:v1)" = '{
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.index.v1+json",
    "manifests": []
}' ] && [ "$(oci_sha256 "$T/store/blobs/sha256/${empty#sha256:}")" = "$empty" ]; then
	ok "kfc manifest create: an empty index, its digest printed, inspect prints it indented by four"
else
	not_ok "kfc manifest create: exit $rc '$empty'"; show "$T/err"
fi
a1=$("$KFC" manifest add list:v1 one:amd64 2>"$T/err")
a2=$("$KFC" manifest add list:v1 one:arm64 2>>"$T/err")
if [ -n "$a1" ] && [ "$a2" = "$idx" ] && [ ! -s "$T/err" ]; then
	ok "kfc manifest add of the two single builds: the index kfc build --platform makes, byte for byte"
else
	not_ok "kfc manifest add: '$a1' '$a2' (want $idx)"; show "$T/err"
fi
if [ -n "$idx" ] && [ "$("$KFC" manifest create list2:v1 one:amd64 one:arm64 2>"$T/err")" = "$idx" ]; then
	ok "kfc manifest create NAME IMAGE...: the same index"
else
	not_ok "kfc manifest create with images"; show "$T/err"
fi
# the same platform again: replaced in place, with the options' platform and annotations
printf 'FROM scratch\nCOPY f /other\n' >"$T/ctx/Kubefile.b"
b=$(build --platform linux/arm64 -f "$T/ctx/Kubefile.b" -t one:arm64b "$T/ctx" 2>"$T/err")
"$KFC" manifest add --variant v8 --annotation org.example.note=b --annotation k=v list:v1 one:arm64b >/dev/null 2>>"$T/err"
"$KFC" manifest inspect list:v1 >"$T/list.json"
py "$T/list.json" "$amd" "$b" <<'EOF' >"$T/got"
import json, sys
for m in json.load(open(sys.argv[1]))["manifests"]:
    print(m["digest"] == sys.argv[2] and "amd" or m["digest"] == sys.argv[3] and "b" or m["digest"],
          json.dumps(m["platform"], sort_keys=True), json.dumps(m.get("annotations"), sort_keys=True))
EOF
printf '%s\n' 'amd {"architecture": "amd64", "os": "linux"} null' \
	'b {"architecture": "arm64", "os": "linux", "variant": "v8"} {"k": "v", "org.example.note": "b"}' >"$T/want"
compare "$T/want" "$T/got" "kfc manifest add of another arm64 image replaces arm64's, with --variant and --annotation"
r=$("$KFC" manifest remove list:v1 "$b" 2>"$T/err")
if [ -n "$r" ] && [ "$("$KFC" manifest add list:v1 one:arm64 2>>"$T/err")" = "$idx" ]; then
	ok "kfc manifest remove, then add: the first index again"
else
	not_ok "kfc manifest remove: '$r'"; show "$T/err"
fi
# push: the images, then the index; what the registry has is what inspect shows
p=$("$KFC" manifest push -q --tls-verify=false list:v1 "docker://$R/list/app:v1" 2>"$T/err")
rc=$?
registry_inspect "docker://$R/list/app:v1" --raw >"$T/list.raw" 2>>"$T/err"
"$KFC" manifest inspect list:v1 >"$T/l.store"
"$KFC" manifest inspect --tls-verify=false "docker://$R/list/app:v1" >"$T/l.reg" 2>>"$T/err"
if [ $rc -eq 0 ] && [ "$p" = "$idx" ] && [ "$(oci_sha256 "$T/list.raw")" = "$idx" ] && same_json "$T/list.raw" "$T/l.store"; then
	compare "$T/l.store" "$T/l.reg" "kfc manifest push: skopeo inspect --raw gives kfc manifest inspect's index, of its digest"
else
	not_ok "kfc manifest push: exit $rc, '$p'"; show "$T/err"
fi
# add pulls an image the store has not got, for --arch
if [ "$(KFC_STORE="$T/store2" "$KFC" manifest create fresh 2>"$T/err")" != "" ] &&
	KFC_STORE="$T/store2" "$KFC" manifest add --tls-verify=false --arch arm64 fresh "$R/multi/app:v1" >/dev/null 2>>"$T/err" &&
	KFC_STORE="$T/store2" "$KFC" manifest inspect fresh >"$T/fresh.json" 2>>"$T/err" &&
	[ "$(py "$T/fresh.json" <<'EOF'
import json, sys
print(" ".join(m["digest"] + " " + m["platform"]["architecture"] for m in json.load(open(sys.argv[1]))["manifests"]))
EOF
)" = "$arm arm64" ]; then
	ok "kfc manifest add pulls an image that is not in the store (--arch arm64 of a registry's index)"
else
	not_ok "kfc manifest add with a pull"; show "$T/err"
fi

# ---- kfc manifest's errors -----------------------------------------------------------------------------
err_case() { # NAME EXPECTED-STATUS EXPECTED-STDERR COMMAND...
	_n=$1 _s=$2 _w=$3
	shift 3
	"$@" >"$T/e.out" 2>"$T/e.err"
	_rc=$?
	printf '%s\n' "$_w" >"$T/e.want"
	if [ $_rc -eq "$_s" ] && [ ! -s "$T/e.out" ]; then
		compare "$T/e.want" "$T/e.err" "$_n"
	else
		not_ok "$_n: exit $_rc"; show "$T/e.out" "$T/e.err"
	fi
}
err_case "add of an image the registry has not got" 1 \
	"kfc manifest add: '$R/nope/none:v1' is not in the local store, and pulling it failed: $R/nope/none: manifest v1: HTTP 404, MANIFEST_UNKNOWN: manifest unknown" \
	"$KFC" manifest add --tls-verify=false list:v1 "$R/nope/none:v1"
err_case "remove of a digest not in the index" 1 \
	"kfc manifest remove: the index 'list:v1' has no image sha256:$(printf '%064d' 0)" \
	"$KFC" manifest remove list:v1 "sha256:$(printf '%064d' 0)"
err_case "remove of no digest" 2 \
	"kfc manifest remove: 'abc' is not a digest (sha256: and 64 lowercase hex digits)" \
	"$KFC" manifest remove list:v1 abc
err_case "add of an index (not an image)" 1 \
	"kfc manifest add: 'list2:v1' is an image index, not an image: add its images one by one" \
	"$KFC" manifest add list:v1 list2:v1
err_case "add to an image (not an index)" 1 \
	"kfc manifest add: 'one:amd64' is an image, not an index (make an index with kfc manifest create)" \
	"$KFC" manifest add one:amd64 one:arm64
err_case "add to no index" 1 \
	"kfc manifest add: no index named 'nothing:latest' in the local store (make one with kfc manifest create)" \
	"$KFC" manifest add nothing one:arm64
err_case "create of a name in use" 1 \
	"kfc manifest create: 'list:v1' exists already: add to it with kfc manifest add, or remove it with kfc manifest rm" \
	"$KFC" manifest create list:v1
err_case "rm of an image" 1 \
	"kfc manifest rm: 'one:amd64' is an image, not an index (make an index with kfc manifest create)" \
	"$KFC" manifest rm one:amd64
if [ "$("$KFC" manifest rm list2:v1 2>"$T/err" | head -n 1)" = "untagged list2:v1" ] && ! "$KFC" manifest inspect list2:v1 >/dev/null 2>&1 &&
	"$KFC" manifest inspect list:v1 >/dev/null && "$KFC" fsck >/dev/null 2>>"$T/err"; then
	ok "kfc manifest rm removes the name; the store stays sound"
else
	not_ok "kfc manifest rm"; show "$T/err"
fi
err_case "inspect of no name" 1 \
	"kfc manifest inspect: no index or image named 'list2:v1' in the local store" \
	"$KFC" manifest inspect list2:v1

finish
