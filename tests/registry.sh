#!/bin/sh
# registry.sh - kfc pull and FROM a registry image, against Debian's
# docker-registry on 127.0.0.1 (plain HTTP, a random free port), with
# images put there by skopeo: digests must survive every round trip.
. "$(dirname "$0")/lib.sh"
. "$KF_SRCDIR/tests/oci-lib.sh"
. "$KF_SRCDIR/tests/registry-lib.sh"

for t in skopeo docker-registry openssl htpasswd; do
	command -v "$t" >/dev/null 2>&1 || { echo "$t not found: skipped"; oci_cleanup; exit 77; }
done

T=$(mktemp -d)
trap 'oci_cleanup; rm -rf "$T"' EXIT
export KFC_STORE="$T/store"
SDE=1700000000
build() { SOURCE_DATE_EPOCH=$SDE "$KFC" build --build-mode=lite --progress=quiet "$@"; }

# ---- images to serve: one, and a two-platform index ------------------------------------------
mkdir -p "$T/base/etc"
printf 'FROM scratch\nCOPY etc /etc\nAPP base local://base.sh\nLAUNCH ["base"]\n' >"$T/base/Kubefile"
echo 'hello' >"$T/base/etc/hello"
echo 'echo base' >"$T/base/base.sh"
for p in amd64 arm64; do
	KFC_STORE="$T/build-store" build --platform "linux/$p" -o "oci:$T/one-$p:v1" "$T/base" >/dev/null 2>"$T/build.err" ||
		{ not_ok "building the served image ($p)"; sed 's/^/# /' "$T/build.err"; }
done
# the index: both manifests under one image index
"$OCI_PYTHON" - "$T" <<'EOF'
import hashlib, json, os, shutil, sys
t = sys.argv[1]
out = os.path.join(t, "multi")
shutil.copytree(os.path.join(t, "one-amd64"), out)
for f in os.listdir(os.path.join(t, "one-arm64", "blobs", "sha256")):
    shutil.copy(os.path.join(t, "one-arm64", "blobs", "sha256", f), os.path.join(out, "blobs", "sha256", f))
ms = []
for p in ("amd64", "arm64"):
    m = json.load(open(os.path.join(t, "one-" + p, "index.json")))["manifests"][0]
    ms.append({"mediaType": m["mediaType"], "digest": m["digest"], "size": m["size"],
               "platform": {"os": "linux", "architecture": p} | ({"variant": "v8"} if p == "arm64" else {})})
idx = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": ms},
                 separators=(",", ":")).encode()
d = hashlib.sha256(idx).hexdigest()
open(os.path.join(out, "blobs", "sha256", d), "wb").write(idx)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json",
           "digest": "sha256:" + d, "size": len(idx), "annotations": {"org.opencontainers.image.ref.name": "v1"}}]},
          open(os.path.join(out, "index.json"), "w"))
print("sha256:" + d, file=open(os.path.join(t, "multi.digest"), "w"))
EOF
amd=$(oci_digest "$T/one-amd64" v1)
arm=$(oci_digest "$T/one-arm64" v1)

registry_start "$T/reg" || { not_ok "registry_start"; exit 1; }
R=$REGISTRY
oci_skopeo copy -q --dest-tls-verify=false "oci:$T/one-amd64:v1" "docker://$R/labring/base:v1" >"$T/copy.err" 2>&1 &&
	oci_skopeo copy -q --all --dest-tls-verify=false "oci:$T/multi:v1" "docker://$R/labring/multi:v1" >>"$T/copy.err" 2>&1 ||
	{ not_ok "skopeo copy into the registry"; sed 's/^/# /' "$T/copy.err"; }

# ---- kfc pull -------------------------------------------------------------------------------------
got=$("$KFC" pull --tls-verify=false "$R/labring/base:v1" 2>"$T/pull.err")
rc=$?
if [ $rc -eq 0 ] && [ "$got" = "$amd" ]; then
	ok "kfc pull prints the digest skopeo pushed"
else
	not_ok "kfc pull: exit $rc, digest '$got' (want $amd)"; sed 's/^/# /' "$T/pull.err"
fi
# what it fetched: the config and the layers, of the sizes the manifest gives
"$OCI_PYTHON" - "$T/one-amd64" "$amd" "$R" >"$T/want" <<'EOF'
import json, os, sys
layout, digest, reg = sys.argv[1:4]
m = json.load(open(os.path.join(layout, "blobs", "sha256", digest.split(":")[1])))
blobs = [m["config"]] + m["layers"]
for b in blobs:
    print("fetched %s %d bytes" % (b["digest"][:19], b["size"]))
print("pulled %s/labring/base:v1: %d blobs fetched (%d bytes), 0 already in the store"
      % (reg, len(blobs), sum(b["size"] for b in blobs)))
EOF
# (blobs arrive four at once: their lines in any order, the summary last)
sort "$T/pull.err" >"$T/pull.sorted"
sort "$T/want" >"$T/want.sorted"
if [ "$(tail -n 1 "$T/pull.err")" = "$(tail -n 1 "$T/want")" ]; then
	compare "$T/want.sorted" "$T/pull.sorted" "kfc pull says what it fetched, blob by blob"
else
	not_ok "kfc pull's summary is not its last line"; sed 's/^/# /' "$T/pull.err"
fi
if "$KFC" inspect "$R/labring/base:v1" >"$T/inspect.out" 2>&1 && grep -q 'base' "$T/inspect.out" &&
	"$KFC" fsck >/dev/null 2>&1; then
	ok "the pulled image is in the store, whole (inspect, fsck)"
else
	not_ok "the pulled image"; sed 's/^/# /' "$T/inspect.out"
fi
"$KFC" pull --tls-verify=false "$R/labring/base:v1" >/dev/null 2>"$T/again.err"
if grep -q ': 0 blobs fetched (0 bytes), [0-9]* already in the store$' "$T/again.err"; then
	ok "a second pull fetches no blob"
else
	not_ok "a second pull"; sed 's/^/# /' "$T/again.err"
fi
got=$("$KFC" pull -q --tls-verify=false "$R/labring/base@$amd" 2>"$T/pull.err")
if [ "$got" = "$amd" ] && "$KFC" inspect "$R/labring/base@$amd" >/dev/null 2>&1; then
	ok "kfc pull by digest"
else
	not_ok "kfc pull by digest: '$got'"; sed 's/^/# /' "$T/pull.err"
fi

# --progress=plain on a terminal: a line per blob all the same
if command -v script >/dev/null 2>&1; then
	KFC_STORE="$T/store-tty2" script -qec "'$KFC' pull --progress=plain --tls-verify=false '$R/labring/base:v1' >/dev/null" "$T/tty2.log" >/dev/null 2>&1
	if grep -q "^fetched sha256:" "$T/tty2.log" && ! grep -q "$(printf '\033')" "$T/tty2.log"; then
		ok "kfc pull --progress=plain: lines, not a rewritten line, on a terminal too"
	else
		not_ok "kfc pull --progress=plain"; od -c "$T/tty2.log" | head -5 | sed 's/^/# /'
	fi
fi
# on a terminal (script(1) gives one): the line rewritten in place, cleared before the summary
if command -v script >/dev/null 2>&1; then
	KFC_STORE="$T/store-tty" script -qec "'$KFC' pull --tls-verify=false '$R/labring/base:v1' >/dev/null" "$T/tty.log" >/dev/null 2>&1
	if grep -q "$(printf '\r\033\\[K')fetched [0-9] blobs\?, [0-9.]* MB, [0-9.]* MB/s" "$T/tty.log" &&
		grep -q "$(printf '\033\\[K')pulled $R/labring/base:v1: [0-9] blobs fetched" "$T/tty.log" &&
		! grep -q "^fetched sha256:" "$T/tty.log"; then
		ok "kfc pull on a terminal: one line of blobs, bytes and rate, rewritten, then the summary"
	else
		not_ok "kfc pull on a terminal"; od -c "$T/tty.log" | head -10 | sed 's/^/# /'
	fi
fi
# a two-platform index: the platform's manifest, its digest unchanged
for p in amd64 arm64; do
	want=$amd
	[ $p = arm64 ] && want=$arm
	got=$(KFC_STORE="$T/store-$p" "$KFC" pull -q --tls-verify=false --platform "linux/$p" "$R/labring/multi:v1" 2>"$T/pull.err")
	if [ "$got" = "$want" ]; then
		ok "kfc pull --platform linux/$p picks its manifest from the index"
	else
		not_ok "kfc pull --platform linux/$p: '$got' (want $want)"; sed 's/^/# /' "$T/pull.err"
	fi
done
# every platform of the index: the name on the index, each image inside it, pushed back whole
multi=$(cat "$T/multi.digest")
export KFC_STORE="$T/store-all"
got=$("$KFC" pull -q --tls-verify=false --all-platforms "$R/labring/multi:v1" 2>"$T/err")
a1=$("$KFC" inspect --platform=linux/arm64 --format=json "$R/labring/multi:v1" 2>>"$T/err" | "$OCI_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["digest"])')
a2=$("$KFC" inspect --platform=linux/amd64 --format=json "$R/labring/multi:v1" 2>>"$T/err" | "$OCI_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["digest"])')
if [ "$got" = "$multi" ] && [ "$a1" = "$arm" ] && [ "$a2" = "$amd" ] && "$KFC" fsck >/dev/null 2>&1; then
	ok "kfc pull --all-platforms: the name on the index, each platform's image inspectable"
else
	not_ok "--all-platforms: '$got' '$a1' '$a2' (want $multi $arm $amd)"; sed 's/^/# /' "$T/err"; "$KFC" fsck 2>&1 | sed 's/^/# /'
fi
"$KFC" push -q --tls-verify=false "$R/labring/multi:v1" "$R/kfc/multi:v2" >/dev/null 2>"$T/err"
printf "kfc push: 'docker.io/%s' names an index of several images: push them all with --all\n" "" >/dev/null
if grep -q "names an index of several images: push them all with --all$" "$T/err"; then
	ok "kfc push of an index without --all: says what to do"
else
	not_ok "kfc push of an index without --all"; sed 's/^/# /' "$T/err"
fi
got=$("$KFC" push -q --all --tls-verify=false "$R/labring/multi:v1" "$R/kfc/multi:v2" 2>"$T/err")
raw=$(oci_skopeo inspect --tls-verify=false --raw "docker://$R/kfc/multi:v2" 2>&1 | sha256sum | cut -d' ' -f1)
if [ "$got" = "$multi" ] && [ "sha256:$raw" = "$multi" ] &&
	oci_skopeo inspect --tls-verify=false --raw "docker://$R/kfc/multi@$arm" >/dev/null 2>&1; then
	ok "kfc push --all: the index and its images, digests unchanged"
else
	not_ok "kfc push --all: '$got' sha256:$raw"; sed 's/^/# /' "$T/err"
fi
mkdir -p "$T/onidx"
printf 'FROM %s/labring/multi:v1\nLABEL on=index\n' "$R" >"$T/onidx/Kubefile"
if build --pull=never --platform linux/arm64 -t onidx:v1 "$T/onidx" >/dev/null 2>"$T/err" &&
	[ "$("$KFC" inspect --format=json onidx:v1 | "$OCI_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["config"]["architecture"])')" = arm64 ]; then
	ok "FROM a name on an index in the store: the build platform's image"
else
	not_ok "FROM an index in the store"; sed 's/^/# /' "$T/err"
fi
export KFC_STORE="$T/store"
KFC_STORE="$T/store-s390x" "$KFC" pull -q --tls-verify=false --platform linux/s390x "$R/labring/multi:v1" >/dev/null 2>"$T/s390x.err"
printf "kfc pull: docker.io/library/x:v1: no image for linux/s390x in its index\n" >/dev/null
if grep -q "no image for linux/s390x in its index" "$T/s390x.err"; then
	ok "a platform the index lacks is a clear error"
else
	not_ok "a platform the index lacks"; sed 's/^/# /' "$T/s390x.err"
fi

# errors: an unknown tag, a registry that is not there, TLS against plain HTTP
"$KFC" pull -q --tls-verify=false "$R/labring/base:v9" >/dev/null 2>"$T/err"
printf 'kfc pull: %s/labring/base: manifest v9: HTTP 404, MANIFEST_UNKNOWN: manifest unknown\n' "$R" >"$T/want"
compare "$T/want" "$T/err" "an unknown tag: the registry's error"
"$KFC" pull -q "$R/labring/base:v1" >/dev/null 2>"$T/err"
rc=$?
if [ $rc -eq 1 ] && grep -q "^kfc pull: $R: " "$T/err"; then
	ok "without --tls-verify=false a plain-HTTP registry is refused (exit 1, one line)"
else
	not_ok "TLS against plain HTTP: exit $rc"; sed 's/^/# /' "$T/err"
fi
"$KFC" pull -q "Upper/Case:v1" >/dev/null 2>"$T/err"
printf "kfc pull: 'Upper/Case:v1' is no image name: the name must be lower case\n" >"$T/want"
compare "$T/want" "$T/err" "a name with upper case is refused before any request"

# ---- kfc push and kfc build --push --------------------------------------------------------------------
export KFC_STORE="$T/store-push"
mkdir -p "$T/app"
printf 'FROM scratch\nCOPY app.yaml /manifests/app.yaml\nLABEL x=y\n' >"$T/app/Kubefile"
printf 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: nginx:1.25\n' >"$T/app/app.yaml"
built=$(build -t "local/app:v1" "$T/app" 2>"$T/err")
got=$("$KFC" push --tls-verify=false local/app:v1 "docker://$R/kfc/app:v1" 2>"$T/push.err")
raw=$(oci_skopeo inspect --tls-verify=false --raw "docker://$R/kfc/app:v1" 2>&1 | sha256sum | cut -d' ' -f1)
if [ -n "$built" ] && [ "$got" = "$built" ] && [ "sha256:$raw" = "$built" ]; then
	ok "kfc push: skopeo reads the manifest with the digest kfc built"
else
	not_ok "kfc push: built $built, pushed '$got', skopeo's sha256:$raw"; sed 's/^/# /' "$T/push.err"
fi
if oci_skopeo inspect --tls-verify=false "docker://$R/kfc/app:v1" 2>&1 | grep -q '"sealer.image.extension"' ||
	oci_skopeo inspect --tls-verify=false --raw "docker://$R/kfc/app:v1" 2>&1 | grep -q 'sealer.image.extension'; then
	ok "the pushed manifest keeps its annotations"
else
	not_ok "the pushed manifest's annotations"
fi
"$KFC" push --tls-verify=false local/app:v1 "$R/kfc/app:v1" >/dev/null 2>"$T/again.err"
if grep -q "^pushed $R/kfc/app:v1: 0 blobs uploaded (0 bytes), 0 mounted, [0-9]* already there$" "$T/again.err"; then
	ok "a second push uploads no blob"
else
	not_ok "a second push"; sed 's/^/# /' "$T/again.err"
fi
got=$(KFC_STORE="$T/store-back" "$KFC" pull -q --tls-verify=false "$R/kfc/app:v1" 2>"$T/err")
if [ "$got" = "$built" ]; then ok "kfc push, then kfc pull into an empty store: the same digest"; else
	not_ok "push then pull: '$got'"; sed 's/^/# /' "$T/err"; fi
pushed=$(build --tls-verify=false --push -t "$R/kfc/built:v2" "$T/app" 2>"$T/err")
raw=$(oci_skopeo inspect --tls-verify=false --raw "docker://$R/kfc/built:v2" 2>&1 | sha256sum | cut -d' ' -f1)
if [ "$pushed" = "$built" ] && [ "sha256:$raw" = "$built" ]; then
	ok "kfc build --push: the digest once on standard output, the image in the registry"
else
	not_ok "kfc build --push: '$pushed', skopeo's sha256:$raw"; sed 's/^/# /' "$T/err"
fi
if "$KFC" tag local/app:v1 app:v2 "$R/kfc/tagged:v3" 2>"$T/err" &&
	[ "$("$KFC" inspect --format=json app:v2 | "$OCI_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["digest"])')" = "$built" ] &&
	[ "$("$KFC" push -q --tls-verify=false "$R/kfc/tagged:v3")" = "$built" ]; then
	ok "kfc tag: more names for the same digest, one of them pushed"
else
	not_ok "kfc tag"; sed 's/^/# /' "$T/err"
fi
"$KFC" inspect --tls-verify=false --format=json "docker://$R/kfc/app:v1" >"$T/remote.json" 2>"$T/err"
# the same but the container image cache, which needs the layers
"$KFC" inspect --format=json local/app:v1 2>>"$T/err" | "$OCI_PYTHON" -c '
import json, sys
j = json.load(sys.stdin)
j.pop("imageCache")
print(json.dumps(j, indent=2))' >"$T/local.json"
"$OCI_PYTHON" -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1])), indent=2))' "$T/remote.json" >"$T/remote2.json"
if [ -s "$T/remote.json" ] && cmp -s "$T/remote2.json" "$T/local.json"; then
	ok "kfc inspect docker://NAME: what the store's inspect shows (but the image cache) without pulling"
else
	not_ok "kfc inspect docker://"; sed 's/^/# /' "$T/err"; diff "$T/local.json" "$T/remote2.json" | head -10 | sed 's/^/# /'
fi
got=$("$KFC" inspect --tls-verify=false --platform=linux/arm64 --format=json "docker://$R/labring/multi:v1" 2>"$T/err" |
	"$OCI_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["digest"])')
if [ "$got" = "$arm" ]; then ok "kfc inspect docker:// of an index: the platform's image"; else
	not_ok "kfc inspect docker:// of an index: '$got'"; sed 's/^/# /' "$T/err"; fi
# a derived image pushed to another repository of the registry its base came from: the base's
# layers are mounted, not uploaded; a blob larger than the chunk size goes in PATCHes
export KFC_STORE="$T/store-mount"
"$KFC" pull -q --tls-verify=false "$R/labring/base:v1" >/dev/null 2>"$T/err"
mkdir -p "$T/big"
head -c 300000 /dev/urandom >"$T/big/blob"
printf 'FROM %s/labring/base:v1\nCOPY blob /blob\n' "$R" >"$T/big/Kubefile"
derived=$(build --platform linux/amd64 --compression=none -t "$R/kfc/derived:v1" "$T/big" 2>>"$T/err")
got=$(KFC_UPLOAD_CHUNK_SIZE=65536 "$KFC" push --tls-verify=false "$R/kfc/derived:v1" 2>"$T/push.err")
nbase=$("$KFC" inspect --format=json "$R/labring/base:v1" | "$OCI_PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)["manifest"]["layers"]))')
raw=$(oci_skopeo inspect --tls-verify=false --raw "docker://$R/kfc/derived:v1" 2>&1 | sha256sum | cut -d' ' -f1)
if [ -n "$derived" ] && [ "$got" = "$derived" ] && [ "sha256:$raw" = "$derived" ] &&
	grep -q "^pushed $R/kfc/derived:v1: 2 blobs uploaded ([0-9]* bytes), $nbase mounted, 0 already there$" "$T/push.err" &&
	KFC_STORE="$T/store-mount2" "$KFC" pull -q --tls-verify=false "$R/kfc/derived:v1" >/dev/null 2>>"$T/err"; then
	ok "kfc push mounts the base's layers from their repository, sends a large blob in chunks; skopeo and a pull agree"
else
	not_ok "mount and chunks: '$got' (built $derived, skopeo's sha256:$raw)"; sed 's/^/# /' "$T/err" "$T/push.err"
fi
# kill -9 during pushes (small chunks make them slow): the store stays sound, a later push completes
for i in 1 2 3 4 5 6 7 8 9 10; do
	KFC_UPLOAD_CHUNK_SIZE=2048 "$KFC" push -q --tls-verify=false "$R/kfc/derived:v1" "$R/kfc/killed:v1" >/dev/null 2>&1 &
	pid=$!
	sleep "0.$(awk -v s="$i$$" 'BEGIN { srand(s); printf "%03d", int(rand() * 400) }')"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
done
got=$("$KFC" push -q --tls-verify=false "$R/kfc/derived:v1" "$R/kfc/killed:v1" 2>"$T/err")
raw=$(oci_skopeo inspect --tls-verify=false --raw "docker://$R/kfc/killed:v1" 2>&1 | sha256sum | cut -d' ' -f1)
if [ "$got" = "$derived" ] && [ "sha256:$raw" = "$derived" ] && "$KFC" fsck >/dev/null 2>&1 &&
	"$KFC" images >/dev/null 2>&1; then
	ok "after ten kill -9 during pushes the store is sound and a push completes"
else
	not_ok "kill -9 during pushes: '$got'"; sed 's/^/# /' "$T/err"
fi
export KFC_STORE="$T/store-push"
# kfc push to a layout and to an archive
if [ "$("$KFC" push -q local/app:v1 "oci:$T/pushed:v9")" = "$built" ] &&
	[ "$("$KFC" push -q local/app:v1 "oci-archive:$T/pushed.tar")" = "$built" ] &&
	[ "$(oci_digest "$T/pushed" v9)" = "$built" ] &&
	oci_skopeo inspect --raw "oci-archive:$T/pushed.tar:v1" | sha256sum | grep -q "^${built#sha256:} "; then
	ok "kfc push to oci:DIR:TAG and to oci-archive:FILE (the name's tag): the same digest"
else
	not_ok "kfc push to a layout or an archive"
fi
# kfc save and kfc load: oci-archive files, digests kept
"$KFC" save -o "$T/two.tar" local/app:v1 app:v2 2>"$T/err"
printf 'loaded local/app:v1 %s\nloaded app:v2 %s\n' "$built" "$built" >"$T/want"
KFC_STORE="$T/store-load2" "$KFC" load -i "$T/two.tar" >"$T/load.out" 2>>"$T/err"
compare "$T/want" "$T/load.out" "kfc save of two names, kfc load: both, one digest"
KFC_STORE="$T/store" "$KFC" save -o "$T/base.tar" "$R/labring/base:v1" 2>"$T/err"
if KFC_STORE="$T/store-load" "$KFC" load -i "$T/base.tar" >"$T/load.out" 2>>"$T/err" &&
	[ "$(cat "$T/load.out")" = "loaded $R/labring/base:v1 $amd" ] &&
	oci_skopeo inspect --raw "oci-archive:$T/base.tar:$R/labring/base:v1" 2>>"$T/err" | sha256sum | grep -q "^${amd#sha256:} "; then
	ok "kfc save, then kfc load into an empty store: the same digest; skopeo reads the archive"
else
	not_ok "kfc save / load"; sed 's/^/# /' "$T/err" "$T/load.out"
fi
oci_skopeo copy -q "oci:$T/one-arm64:v1" "oci-archive:$T/skopeo.tar:v7" 2>"$T/err"
if KFC_STORE="$T/store-load" "$KFC" load -i "$T/skopeo.tar" >"$T/load.out" 2>>"$T/err" &&
	[ "$(cat "$T/load.out")" = "loaded localhost/skopeo:v7 $arm" ]; then
	ok "kfc load of skopeo's archive with a bare tag: localhost/FILE:TAG"
else
	not_ok "kfc load of skopeo's archive"; sed 's/^/# /' "$T/err" "$T/load.out"
fi
mkdir -p "$T/evil/blobs/sha256" && ln -s /etc/passwd "$T/evil/blobs/sha256/x" && printf '{}' >"$T/evil/index.json" &&
	tar -C "$T/evil" -cf "$T/evil.tar" index.json blobs
KFC_STORE="$T/store-load" "$KFC" load -i "$T/evil.tar" >/dev/null 2>"$T/err"
rc=$?
printf "kfc load: %s: 'blobs/sha256/x' links outside the archive\n" "$T/evil.tar" >"$T/want"
if [ $rc -eq 1 ]; then compare "$T/want" "$T/err" "kfc load refuses a link out of the archive"; else
	not_ok "kfc load of a hostile archive: exit $rc"; fi
printf 'x' >"$T/x" && tar -cPf "$T/evil2.tar" --transform 's|.*|../../escape|' "$T/x" 2>/dev/null
KFC_STORE="$T/store-load" "$KFC" load -i "$T/evil2.tar" >/dev/null 2>"$T/err"
printf "kfc load: %s: '../../escape' is not a name inside the archive\n" "$T/evil2.tar" >"$T/want"
compare "$T/want" "$T/err" "kfc load refuses a name that climbs out"
# docker save's format (skopeo writes it): layers and config become an OCI image, named by RepoTags
oci_skopeo copy -q "oci:$T/one-amd64:v1" "docker-archive:$T/docker.tar:example/dockerized:v5" 2>"$T/err"
if KFC_STORE="$T/store-docker" "$KFC" load -i "$T/docker.tar" >"$T/load.out" 2>>"$T/err" &&
	grep -q "^loaded example/dockerized:v5 sha256:" "$T/load.out" &&
	KFC_STORE="$T/store-docker" "$KFC" inspect --format=json example/dockerized:v5 >"$T/d.json" 2>>"$T/err" &&
	KFC_STORE="$T/store" "$KFC" inspect --format=json "$R/labring/base:v1" >"$T/b.json" 2>>"$T/err" &&
	"$OCI_PYTHON" -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(a["config"]["rootfs"] != b["config"]["rootfs"])' "$T/d.json" "$T/b.json" &&
	KFC_STORE="$T/store-docker" "$KFC" fsck >/dev/null 2>&1; then
	ok "kfc load of a docker archive: named by its RepoTags, the same layers (diff_ids), a sound store"
else
	not_ok "kfc load of a docker archive"; sed 's/^/# /' "$T/err" "$T/load.out"
fi
"$KFC" push -q --tls-verify=false nosuch:v1 "$R/kfc/x:v1" >/dev/null 2>"$T/err"
printf "kfc push: %s: no image named 'docker.io/library/nosuch:v1'\n" "$KFC_STORE" >"$T/want"
compare "$T/want" "$T/err" "kfc push of an image the store lacks"

# ---- FROM an image in the registry ------------------------------------------------------------------
mkdir -p "$T/derived"
printf 'FROM %s/labring/base:v1\nCOPY extra /etc/extra\n' "$R" >"$T/derived/Kubefile"
echo extra >"$T/derived/extra"
export KFC_STORE="$T/store-from"
if SOURCE_DATE_EPOCH=$SDE "$KFC" build --build-mode=lite --progress=plain --platform linux/amd64 --tls-verify=false -t derived:v1 "$T/derived" >"$T/derived.out" 2>"$T/derived.err" &&
	"$KFC" inspect "$R/labring/base:v1" >/dev/null 2>&1 && "$KFC" inspect derived:v1 >"$T/derived.inspect" 2>&1 &&
	grep -q 'base' "$T/derived.inspect"; then
	ok "FROM a registry image pulls it and inherits its app"
	if [ "$(grep -c '^fetched sha256:[0-9a-f]\{12\} [0-9]* bytes$' "$T/derived.err")" -ge 2 ]; then
		ok "the FROM pull shows a line per blob (no terminal)"
	else
		not_ok "the FROM pull's progress"; sed 's/^/# /' "$T/derived.err"
	fi
else
	not_ok "FROM a registry image"; sed 's/^/# /' "$T/derived.err" "$T/derived.inspect" 2>/dev/null
fi
export KFC_STORE="$T/store-never"
build --pull=never --tls-verify=false "$T/derived" >/dev/null 2>"$T/never.err"
rc=$?
if [ $rc -eq 1 ] && grep -q "Kubefile:1:1: error: base image '$R/labring/base:v1' is not in the local store ([^)]*) and --pull=never; " "$T/never.err" &&
	grep -q -- "--pull=never" "$T/never.err"; then
	ok "--pull=never: the FROM line's error"
else
	not_ok "--pull=never: exit $rc"; sed 's/^/# /' "$T/never.err"
fi
printf 'FROM %s/labring/none:v1\n' "$R" >"$T/derived/Kubefile"
build --tls-verify=false "$T/derived" >/dev/null 2>"$T/none.err"
if grep -q "Kubefile:1:1: error: base image '$R/labring/none:v1' is not in the local store, and pulling it failed: $R/labring/none: manifest v1: HTTP 404, MANIFEST_UNKNOWN: manifest unknown \\[KF601\\]$" "$T/none.err"; then
	ok "FROM an image the registry lacks: located, with the registry's answer"
else
	not_ok "FROM an image the registry lacks"; sed 's/^/# /' "$T/none.err"
fi

# ---- mirrors: registries.yaml as k3s has it ----------------------------------------------------------
auth_file() { # auth_file FILE HOST USER:PASSWORD: a containers auth.json
	printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$2" "$(printf '%s' "$3" | base64 -w0)" >"$1"
}
pull_into() { # pull_into STORE NAME [OPTIONS...]: kfc pull -q into a new store; stderr in $T/err
	_s=$1 _n=$2
	shift 2
	KFC_STORE="$T/$_s" "$KFC" pull -q "$@" "$_n" 2>"$T/err"
}
printf 'mirrors:\n  docker.io:\n    endpoint:\n      - "http://127.0.0.1:1"\n      - "http://%s"\n' "$R" >"$T/registries.yaml"
export KFC_REGISTRIES="$T/registries.yaml"
got=$(pull_into mirror-1 docker.io/labring/base:v1)
if [ "$got" = "$amd" ] && KFC_STORE="$T/mirror-1" "$KFC" inspect labring/base:v1 >/dev/null 2>&1; then
	ok "registries.yaml: docker.io through its mirrors (a dead one first, then the next)"
else
	not_ok "mirrors: '$got'"; sed 's/^/# /' "$T/err"
fi
printf 'FROM docker.io/labring/base:v1\nCOPY extra /etc/extra\n' >"$T/derived/Kubefile"
if KFC_STORE="$T/mirror-2" build --platform linux/amd64 -t derived:v1 "$T/derived" >/dev/null 2>"$T/err" &&
	KFC_STORE="$T/mirror-2" "$KFC" inspect labring/base:v1 >/dev/null 2>&1; then
	ok "FROM docker.io/... builds through a mirror"
else
	not_ok "FROM through a mirror"; sed 's/^/# /' "$T/err"
fi
printf 'mirrors:\n  "127.0.0.1:1":\n    endpoint: ["http://127.0.0.1:2"]\n' >"$T/registries.yaml"
pull_into mirror-3 127.0.0.1:1/x:v1 >/dev/null
if grep -q "^kfc pull: mirror http://127.0.0.1:2: 127.0.0.1:2: .*; the registry: 127.0.0.1:1: " "$T/err"; then
	ok "every mirror and the registry failing: the error says what each answered"
else
	not_ok "mirrors all failing"; sed 's/^/# /' "$T/err"
fi
printf 'mirrors:\n  docker.io:\n    endpoint: "http://x"\n' >"$T/registries.yaml"
pull_into mirror-4 nginx >/dev/null
printf 'kfc pull: %s:3:5: a mirror needs an endpoint list\n' "$T/registries.yaml" >"$T/want"
compare "$T/want" "$T/err" "a registries.yaml of the wrong shape: FILE:LINE:COL"
unset KFC_REGISTRIES

# ---- TLS, credentials and tokens (tests/registry-lib.sh) --------------------------------------------

registry_start_tls "$T/tls" || { not_ok "registry_start_tls"; exit 1; }
registry_copy "oci:$T/one-amd64:v1" "docker://$REG_ADDR/labring/base:v1" 2>"$T/copy.err" || sed 's/^/# /' "$T/copy.err"
got=$(KFC_CERTS_D="$REG_CERTS_D" pull_into tls-1 "$REG_ADDR/labring/base:v1")
if [ "$got" = "$amd" ]; then ok "HTTPS with the CA from a certs.d folder"; else
	not_ok "HTTPS with certs.d: '$got'"; sed 's/^/# /' "$T/err"; fi
got=$(KFC_CERTS_D=/nonexistent pull_into tls-2 "$REG_ADDR/labring/base:v1")
if [ -z "$got" ] && grep -q "^kfc pull: $REG_ADDR: .*certificate" "$T/err"; then
	ok "HTTPS with an unknown CA is refused, saying why"
else
	not_ok "HTTPS with an unknown CA: '$got'"; sed 's/^/# /' "$T/err"
fi
got=$(KFC_CERTS_D=/nonexistent pull_into tls-3 "$REG_ADDR/labring/base:v1" --tls-verify=false)
if [ "$got" = "$amd" ]; then ok "HTTPS with --tls-verify=false: no certificate check"; else
	not_ok "--tls-verify=false over HTTPS: '$got'"; sed 's/^/# /' "$T/err"; fi

registry_start_basic "$T/basic" alice:wonder || { not_ok "registry_start_basic"; exit 1; }
registry_copy "oci:$T/one-amd64:v1" "docker://$REG_ADDR/labring/base:v1" 2>"$T/copy.err" || sed 's/^/# /' "$T/copy.err"
export KFC_CERTS_D="$REG_CERTS_D"
auth_file "$T/auth.json" "$REG_ADDR" alice:wonder
got=$(REGISTRY_AUTH_FILE="$T/auth.json" pull_into basic-1 "$REG_ADDR/labring/base:v1")
if [ "$got" = "$amd" ]; then ok "Basic credentials from \$REGISTRY_AUTH_FILE"; else
	not_ok "Basic: '$got'"; sed 's/^/# /' "$T/err"; fi
mkdir -p "$T/home/.docker"
auth_file "$T/home/.docker/config.json" "$REG_ADDR" alice:wonder
got=$(HOME="$T/home" XDG_RUNTIME_DIR="$T/none" pull_into basic-2 "$REG_ADDR/labring/base:v1")
if [ "$got" = "$amd" ]; then ok "Basic credentials from docker's config.json"; else
	not_ok "Basic from config.json: '$got'"; sed 's/^/# /' "$T/err"; fi
auth_file "$T/wrong.json" "$REG_ADDR" alice:queen
REGISTRY_AUTH_FILE="$T/wrong.json" pull_into basic-3 "$REG_ADDR/labring/base:v1" >/dev/null
printf 'kfc pull: %s: access denied (HTTP 401) with the credentials kfc has\n' "$REG_ADDR" >"$T/want"
compare "$T/want" "$T/err" "Basic with a wrong password: refused, once"
REGISTRY_AUTH_FILE="$T/none.json" pull_into basic-4 "$REG_ADDR/labring/base:v1" >/dev/null
printf 'kfc pull: %s: authentication required and no credentials found (kfc login %s)\n' "$REG_ADDR" "$REG_ADDR" >"$T/want"
compare "$T/want" "$T/err" "Basic without credentials: what to do"
# kfc login checks the password, then keeps it; logout forgets it
export REGISTRY_AUTH_FILE="$T/login/auth.json"
printf 'queen\n' | "$KFC" login -u alice --password-stdin "$REG_ADDR" 2>"$T/err"
rc=$?
printf 'kfc login: %s: access denied (HTTP 401) with the credentials kfc has\n' "$REG_ADDR" >"$T/want"
if [ $rc -eq 1 ] && [ ! -e "$REGISTRY_AUTH_FILE" ]; then compare "$T/want" "$T/err" "kfc login with a wrong password"; else
	not_ok "kfc login with a wrong password: exit $rc"; fi
printf 'wonder\n' | "$KFC" login -u alice --password-stdin "https://$REG_ADDR/" 2>"$T/err"
rc=$?
printf 'logged in to %s (credentials in %s)\n' "$REG_ADDR" "$REGISTRY_AUTH_FILE" >"$T/want"
if [ $rc -eq 0 ] && [ "$(stat -c %a "$REGISTRY_AUTH_FILE")" = 600 ]; then
	compare "$T/want" "$T/err" "kfc login: checked, kept in the auth file (mode 600)"
else
	not_ok "kfc login: exit $rc"; sed 's/^/# /' "$T/err"
fi
got=$(pull_into basic-5 "$REG_ADDR/labring/base:v1")
if [ "$got" = "$amd" ]; then ok "a pull with what kfc login kept"; else not_ok "a pull after login: '$got'"; sed 's/^/# /' "$T/err"; fi
"$KFC" logout "$REG_ADDR" 2>"$T/err" && "$KFC" logout "$REG_ADDR" 2>>"$T/err"
printf 'logged out of %s (%s)\nkfc logout: not logged in to %s: %s has no entry for it\n' "$REG_ADDR" "$REGISTRY_AUTH_FILE" \
	"$REG_ADDR" "$REGISTRY_AUTH_FILE" >"$T/want"
compare "$T/want" "$T/err" "kfc logout, twice"
unset REGISTRY_AUTH_FILE

registry_start_token "$T/token" --refresh bob:refresh-me bob:builder ro:reader:pull || { not_ok "registry_start_token"; exit 1; }
registry_copy "oci:$T/one-amd64:v1" "docker://$REG_ADDR/labring/base:v1" 2>"$T/copy.err" || sed 's/^/# /' "$T/copy.err"
export KFC_CERTS_D="$REG_CERTS_D"
auth_file "$T/ro.json" "$REG_ADDR" ro:reader
: >"$REG_TOKEN_LOG"
got=$(REGISTRY_AUTH_FILE="$T/ro.json" pull_into token-1 "$REG_ADDR/labring/base:v1")
if [ "$got" = "$amd" ] && [ "$(grep -c '^200 ' "$REG_TOKEN_LOG")" = 1 ] &&
	grep -q '^200 GET ro scope=repository:labring/base:pull granted=repository:labring/base:pull' "$REG_TOKEN_LOG"; then
	ok "Bearer: one token, for the repository's pull scope, used for every request"
else
	not_ok "Bearer: '$got'"; sed 's/^/# /' "$T/err" "$REG_TOKEN_LOG"
fi
REGISTRY_AUTH_FILE="$T/none.json" pull_into token-2 "$REG_ADDR/labring/base:v1" >/dev/null
if grep -q "^kfc pull: $REG_ADDR: the token server https://127.0.0.1:[0-9]*/token refused an anonymous request (HTTP 401); log in with kfc login$" "$T/err"; then
	ok "Bearer without credentials: the token server's refusal"
else
	not_ok "Bearer without credentials"; sed 's/^/# /' "$T/err"
fi
# docker's identity token: an OAuth refresh token, POSTed to the token server
printf '{"auths":{"%s":{"auth":"%s","identitytoken":"refresh-me"}}}\n' "$REG_ADDR" "$(printf '<token>:' | base64 -w0)" >"$T/idtok.json"
: >"$REG_TOKEN_LOG"
got=$(REGISTRY_AUTH_FILE="$T/idtok.json" pull_into token-3 "$REG_ADDR/labring/base:v1")
if [ "$got" = "$amd" ] && grep -q '^200 POST bob scope=repository:labring/base:pull granted=repository:labring/base:pull' "$REG_TOKEN_LOG"; then
	ok "Bearer with docker's identity token: the refresh-token grant (POST), then the pull"
else
	not_ok "identity token: '$got'"; sed 's/^/# /' "$T/err" "$REG_TOKEN_LOG"
fi
# a push asks for the push scope; a read-only user is refused
auth_file "$T/rw.json" "$REG_ADDR" bob:builder
: >"$REG_TOKEN_LOG"
got=$(REGISTRY_AUTH_FILE="$T/rw.json" KFC_STORE="$T/store-push" "$KFC" push -q local/app:v1 "$REG_ADDR/kfc/app:v1" 2>"$T/err")
if [ "$got" = "$built" ] && grep -q '^200 GET bob scope=repository:kfc/app:\(pull,push\|push,pull\) granted=repository:kfc/app:pull,push' "$REG_TOKEN_LOG"; then
	ok "Bearer push: a token for pull and push"
else
	not_ok "Bearer push: '$got'"; sed 's/^/# /' "$T/err" "$REG_TOKEN_LOG"
fi
REGISTRY_AUTH_FILE="$T/ro.json" KFC_STORE="$T/store-push" "$KFC" push -q local/app:v1 "$REG_ADDR/kfc/ro:v1" >/dev/null 2>"$T/err"
rc=$?
if [ $rc -eq 1 ] && grep -q "^kfc push: $REG_ADDR: denied: the credentials kfc has do not grant repository:kfc/ro:\\(pull,push\\|push,pull\\) (insufficient_scope)$" "$T/err" && [ "$(wc -l <"$T/err")" = 1 ]; then
	ok "Bearer push as a read-only user: refused, saying which scope is missing"
else
	not_ok "read-only push: exit $rc"; sed 's/^/# /' "$T/err"
fi
: >"$REG_TOKEN_LOG"
if printf 'builder\n' | REGISTRY_AUTH_FILE="$T/login2.json" "$KFC" login -u bob --password-stdin "$REG_ADDR" 2>"$T/err" &&
	grep -q '^200 GET bob$' "$REG_TOKEN_LOG"; then
	ok "kfc login to a token registry: a token for no scope"
else
	not_ok "kfc login with tokens"; sed 's/^/# /' "$T/err" "$REG_TOKEN_LOG"
fi
unset KFC_CERTS_D

# ---- hostile registries: nothing wrong enters the store ---------------------------------------------
hostile() { # hostile NAME FAULT [OPTIONS...]: a pull from registry-hostile.py with the fault; stderr in $T/err
	_h=$1
	shift
	registry_start_hostile "$T/h-$_h" "$T/one-amd64" --fault "$@" >/dev/null || { not_ok "registry_start_hostile $*"; return 1; }
	KFC_STORE="$T/hs-$_h" timeout 60 "$KFC" pull -q --tls-verify=false "$REG_ADDR/labring/base:v1" >"$T/out" 2>"$T/err"
	_rc=$?
	registry_stop_dir "$T/h-$_h"
	return $_rc
}
clean_store() { # clean_store NAME: no temporary file, fsck sound
	[ -z "$(find "$T/hs-$1/blobs" -name '.pull-*' 2>/dev/null)" ] && [ -z "$(ls -A "$T/hs-$1/tmp" 2>/dev/null)" ] &&
		KFC_STORE="$T/hs-$1" "$KFC" fsck >/dev/null 2>&1
}
hostile bad bad-digest
if [ $? -eq 1 ] && grep -q "^kfc pull: $REG_ADDR/labring/base: blob sha256:[0-9a-f]*: its bytes have the digest sha256:" "$T/err" &&
	clean_store bad; then
	ok "a blob whose bytes are not its digest: refused, nothing kept"
else
	not_ok "bad-digest"; sed 's/^/# /' "$T/err"
fi
hostile lie lying-size
if [ $? -eq 1 ] && grep -q "is larger than its descriptor says" "$T/err" && clean_store lie; then
	ok "a manifest that lies about a layer's size: refused"
else
	not_ok "lying-size"; sed 's/^/# /' "$T/err"
fi
hostile endless endless
if [ $? -eq 1 ] && grep -q "is larger than its descriptor says" "$T/err" && clean_store endless; then
	ok "an endless blob ends at its descriptor's size"
else
	not_ok "endless"; sed 's/^/# /' "$T/err"
fi
registry_start_hostile "$T/h-redirect" "$T/one-amd64" --fault redirect --user kfc:hostile >/dev/null ||
	not_ok "registry_start_hostile redirect"
auth_file "$T/hostile.json" "$REG_ADDR" kfc:hostile
REGISTRY_AUTH_FILE="$T/hostile.json" KFC_STORE="$T/hs-redirect" timeout 60 "$KFC" pull -q --tls-verify=false \
	"$REG_ADDR/labring/base:v1" >"$T/out" 2>"$T/err"
rc=$?
registry_stop_dir "$T/h-redirect"
if [ $rc -eq 0 ] && grep -q '^other 200 GET ' "$REG_LOG" && ! grep -q '^other .* auth=yes' "$REG_LOG"; then
	ok "a redirect to another host: followed, and the credentials stay behind"
else
	not_ok "redirect: exit $rc"; sed 's/^/# /' "$T/err" "$REG_LOG"
fi
hostile loop 401-loop
if [ $? -eq 1 ] && grep -q "access denied (HTTP 401)" "$T/err" && [ "$(grep -c ' 401 ' "$REG_LOG")" -le 3 ]; then
	ok "a 401 loop: a clear error after three tries"
else
	not_ok "401-loop"; sed 's/^/# /' "$T/err"; grep -c ' 401 ' "$REG_LOG" | sed 's/^/# 401s: /'
fi
hostile slow slow-kill
if [ $? -eq 0 ] && grep -q 'range=bytes=' "$REG_LOG" && clean_store slow; then
	ok "a connection killed mid-blob: the pull resumes with Range and succeeds"
else
	not_ok "slow-kill"; sed 's/^/# /' "$T/err" "$REG_LOG"
fi

# ---- kill -9 at random moments, and two pulls at once ------------------------------------------------
registry_start_hostile "$T/h-kill" "$T/one-amd64" --fault slow-kill >/dev/null || not_ok "registry_start_hostile slow-kill"
export KFC_STORE="$T/hs-kill"
for i in 1 2 3 4 5 6 7 8 9 10; do
	"$KFC" pull -q --tls-verify=false "$REG_ADDR/labring/base:v1" >/dev/null 2>&1 &
	pid=$!
	sleep "0.$(awk -v s="$i$$" 'BEGIN { srand(s); printf "%03d", int(rand() * 600) }')"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
done
"$KFC" pull -q --tls-verify=false "$REG_ADDR/labring/base:v1" >"$T/kill.out" 2>"$T/err" &
p1=$!
"$KFC" pull -q --tls-verify=false "$REG_ADDR/labring/base:v1" >"$T/kill2.out" 2>>"$T/err" &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
if [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && [ "$(cat "$T/kill.out")" = "$amd" ] && [ "$(cat "$T/kill2.out")" = "$amd" ] &&
	"$KFC" images >/dev/null && "$KFC" inspect "$REG_ADDR/labring/base:v1" >/dev/null && clean_store kill; then
	ok "after ten kill -9 during pulls the store is sound, and two pulls at once both succeed"
else
	not_ok "kill -9 and concurrent pulls: exit $r1 $r2"; sed 's/^/# /' "$T/err"; ls -la "$KFC_STORE/tmp" | sed 's/^/# /'
fi
registry_stop_dir "$T/h-kill"

finish
