#!/bin/sh
# cache.sh - the ClusterImage's container image cache (registry/ in the
# rootfs, docker distribution's filesystem storage): kfc build caches the
# images of the final list (sealer's way) and of the context (sealos's
# way) from a Debian docker-registry on 127.0.0.1 that registries.yaml
# puts in place of docker.io and quay.io; a second docker-registry rooted
# at the built image's registry/ must serve every image with the source's
# digests, as sealer run and sealos run serve it.
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
kfc_build() { SOURCE_DATE_EPOCH=$SDE "$KFC" build --progress=plain "$@"; }

# ---- the source registry and its images ------------------------------------------------------
registry_start_http "$T/src" >/dev/null || { not_ok "the source registry"; exit 1; }
SRC=$REG_ADDR
SRC_LOG=$REG_LOG
cat >"$T/registries.yaml" <<EOF
mirrors:
  docker.io:
    endpoint: ["http://$SRC"]
  quay.io:
    endpoint: ["http://$SRC"]
EOF
export KFC_REGISTRIES="$T/registries.yaml"
# images made here: three sharing a layer (etc/), one two-platform index
mkdir -p "$T/mk/etc"
echo shared >"$T/mk/etc/shared"
i=0
for name in library/nginx:1.25 x/y:v1 calico/node:v3 kfc/multi:v1; do
	i=$((i + 1))
	echo "$name" >"$T/mk/own"
	printf 'FROM scratch\nCOPY etc /etc\nCOPY own /own\n' >"$T/mk/Kubefile"
	for p in amd64 arm64; do
		KFC_STORE="$T/mkstore" SOURCE_DATE_EPOCH=$SDE "$KFC" build --progress=quiet --build-mode=lite \
			--platform "linux/$p" -o "oci:$T/lay-$i-$p:v1" "$T/mk" >/dev/null 2>"$T/err" ||
			{ not_ok "making $name"; sed 's/^/# /' "$T/err"; }
	done
	if [ "$name" = kfc/multi:v1 ]; then
		"$OCI_PYTHON" - "$T/lay-$i-amd64" "$T/lay-$i-arm64" <<'EOF'
import hashlib, json, os, shutil, sys
a, b = sys.argv[1], sys.argv[2]
for f in os.listdir(os.path.join(b, "blobs", "sha256")):
    if not os.path.exists(os.path.join(a, "blobs", "sha256", f)):
        shutil.copy(os.path.join(b, "blobs", "sha256", f), os.path.join(a, "blobs", "sha256", f))
ms = []
for d, arch in ((a, "amd64"), (b, "arm64")):
    m = json.load(open(os.path.join(d, "index.json")))["manifests"][0]
    ms.append({"mediaType": m["mediaType"], "digest": m["digest"], "size": m["size"],
               "platform": {"os": "linux", "architecture": arch}})
ix = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": ms}).encode()
d = hashlib.sha256(ix).hexdigest()
open(os.path.join(a, "blobs", "sha256", d), "wb").write(ix)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json",
           "digest": "sha256:" + d, "size": len(ix), "annotations": {"org.opencontainers.image.ref.name": "v1"}}]},
          open(os.path.join(a, "index.json"), "w"))
EOF
		skopeo copy -q --all --dest-tls-verify=false "oci:$T/lay-$i-amd64:v1" "docker://$SRC/$name" ||
			not_ok "pushing $name"
	else
		skopeo copy -q --dest-tls-verify=false "oci:$T/lay-$i-amd64:v1" "docker://$SRC/$name" ||
			not_ok "pushing $name"
	fi
done
src_digest() { skopeo inspect --tls-verify=false --raw "docker://$SRC/$1" | sha256sum | cut -d' ' -f1; }
blob_gets() { grep -c 'http.request.method=GET.*http.request.uri="/v2/[^"]*/blobs/sha256' "$SRC_LOG"; }

# ---- sealer's way: the final list of a Kubefile with APPs, a chart, manifests/ and IMAGES ---------
C=$T/ctx
mkdir -p "$C/manifests" "$C/charts/web/templates" "$C/app"
cat >"$C/manifests/pod.yaml" <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: web
    image: nginx:1.25
EOF
printf 'apiVersion: v2\nname: web\nversion: 0.1.0\n' >"$C/charts/web/Chart.yaml"
printf 'image:\n  repository: calico/node\n  tag: v3\n' >"$C/charts/web/values.yaml"
cat >"$C/charts/web/templates/d.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: web
        image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
EOF
printf 'echo app\n' >"$C/app/install.sh"
kubefile() { # EXTRA-LINES...
	{
		printf 'FROM scratch\nCOPY manifests manifests\nCOPY charts charts\nAPP web local://app/install.sh\n'
		printf 'IMAGES quay.io/x/y:v1\n'
		for l in "$@"; do printf '%s\n' "$l"; done
		printf 'LAUNCH ["web"]\n'
	} >"$C/Kubefile"
}
kubefile
echo "kfc/multi:v1" >"$T/list.txt"
if kfc_build --tls-verify=false -t cluster:v1 -o "oci:$T/out:v1" --image-list "$T/list.txt" "$C" >"$T/out.txt" 2>"$T/err"; then
	ok "a build with manifests/, a chart, an APP, IMAGES and --image-list caches its images"
else
	not_ok "the sealer-way build"; sed 's/^/# /' "$T/err"
fi
grep -q '^\[.*\] kfc build: cache container images (4)$' "$T/err" &&
	grep -q '^  image nginx:1.25 sha256:[0-9a-f]\{12\}: [0-9] blobs\{0,1\} fetched ([0-9.]* MB), [0-9] in the store$' "$T/err" &&
	ok "one step caches the four images, each reported as it lands" ||
	{ not_ok "the cache step"; sed 's/^/# /' "$T/err"; }
umoci unpack --rootless --image "$T/out:v1" "$T/bundle" >/dev/null 2>&1 || not_ok "umoci unpack"
R=$T/bundle/rootfs/registry
[ -d "$R/docker/registry/v2/repositories/library/nginx/_manifests/tags/1.25" ] &&
	[ -d "$R/docker/registry/v2/repositories/x/y" ] && [ -d "$R/docker/registry/v2/repositories/calico/node" ] &&
	[ -d "$R/docker/registry/v2/repositories/kfc/multi" ] &&
	ok "registry/docker/registry/v2 holds the repositories without their registry hosts" ||
	{ not_ok "the layout"; find "$R" -maxdepth 6 | sed 's/^/# /'; }
# the second registry serves that folder, as sealer run does
REG_ROOTDIR=$R registry_start_http "$T/serve" >/dev/null || not_ok "the registry over registry/"
SERVE=$REG_ADDR
export REG_ADDR=$SRC
all=yes
for name in library/nginx:1.25 x/y:v1 calico/node:v3 kfc/multi:v1; do
	want=$(src_digest "$name")
	got=$(skopeo inspect --tls-verify=false --raw "docker://$SERVE/$name" | sha256sum | cut -d' ' -f1)
	[ "$want" = "$got" ] || { all=no; echo "# $name: $got, the source has $want"; }
	skopeo copy -q --src-tls-verify=false --override-arch amd64 "docker://$SERVE/$name" "oci:$T/copied:$(echo "$name" | tr '/:' '__')" ||
		{ all=no; echo "# skopeo copy of $name failed"; }
done
[ $all = yes ] && ok "a docker-registry rooted at registry/ serves every image with the source's digests (inspect and copy)" ||
	not_ok "serving the cache"
registry_stop_dir "$T/serve"

# ---- two platforms: one build each, each with its own platform's images -----------------------
mkdir -p "$T/mp"
printf 'FROM scratch\nARG TARGETARCH\nIMAGES kfc/multi:v1\nLABEL arch=${TARGETARCH}\n' >"$T/mp/Kubefile"
if kfc_build --tls-verify=false --platform linux/amd64,linux/arm64 -t multi-cluster:v1 -o "oci:$T/mp-oci:v1" "$T/mp" >/dev/null 2>"$T/err"; then
	ok "a two-platform build with a container image cache"
else
	not_ok "the two-platform build"; sed 's/^/# /' "$T/err"
fi
want_amd=$(skopeo inspect --tls-verify=false --raw --override-arch amd64 "docker://$SRC/kfc/multi:v1" >/dev/null 2>&1 &&
	skopeo inspect --tls-verify=false --raw "docker://$SRC/kfc/multi:v1" | "$OCI_PYTHON" -c '
import json, sys
print(" ".join(m["digest"] for m in json.load(sys.stdin)["manifests"]))')
all=yes
for arch in amd64 arm64; do
	rm -rf "$T/mpb"
	skopeo copy -q --override-arch "$arch" "oci:$T/mp-oci:v1" "oci:$T/mp-$arch:v1" >/dev/null 2>&1 &&
		umoci unpack --rootless --image "$T/mp-$arch:v1" "$T/mpb" >/dev/null 2>&1 || { all=no; echo "# unpacking $arch failed"; }
	revs=$(ls "$T/mpb/rootfs/registry/docker/registry/v2/repositories/kfc/multi/_manifests/revisions/sha256" 2>/dev/null | tr '\n' ' ')
	# the index and this platform's manifest, no other
	n=0
	for d in $want_amd; do
		case " $revs " in *" ${d#sha256:} "*) n=$((n + 1)) ;; esac
	done
	own=$("$OCI_PYTHON" - "$T/mpb/rootfs/registry/docker/registry/v2/blobs" "$arch" $revs <<'PYEOF'
import json, os, sys
blobs, arch, revs = sys.argv[1], sys.argv[2], sys.argv[3:]
archs = []
for r in revs:
    m = json.load(open(os.path.join(blobs, "sha256", r[:2], r, "data")))
    if "config" in m:
        c = m["config"]["digest"][7:]
        archs.append(json.load(open(os.path.join(blobs, "sha256", c[:2], c, "data")))["architecture"])
print(" ".join(archs))
PYEOF
)
	[ "$n" = 1 ] && [ "$own" = "$arch" ] || { all=no; echo "# $arch: revisions $revs, manifests for: $own"; }
done
[ $all = yes ] && ok "each platform's rootfs caches its own platform's image manifest of the index" || not_ok "per-platform caches"

# ---- incremental ------------------------------------------------------------------------------
before=$(blob_gets)
kfc_build --tls-verify=false -t cluster:v1 -o "oci:$T/out2:v1" --image-list "$T/list.txt" "$C" >"$T/out2.txt" 2>"$T/err2" ||
	{ not_ok "the rebuild"; sed 's/^/# /' "$T/err2"; }
[ "$(blob_gets)" = "$before" ] && [ "$(cat "$T/out.txt")" = "$(cat "$T/out2.txt")" ] &&
	ok "an unchanged rebuild downloads no blob and gives the same digest" ||
	not_ok "rebuild: $before then $(blob_gets) blob GETs; $(cat "$T/out.txt") $(cat "$T/out2.txt")"
# the same inputs in a new store: the same digest
KFC_STORE="$T/store2" kfc_build --tls-verify=false -t cluster:v1 --image-list "$T/list.txt" "$C" >"$T/out3.txt" 2>"$T/err3" ||
	{ not_ok "a build in a second store"; sed 's/^/# /' "$T/err3"; }
[ "$(cat "$T/out.txt")" = "$(cat "$T/out3.txt")" ] && ok "two builds with SOURCE_DATE_EPOCH (two stores) give the same digest" ||
	not_ok "digests differ: $(cat "$T/out.txt") $(cat "$T/out3.txt")"
# a derived image does not fetch the base's images again
mkdir -p "$T/derived"
printf 'FROM cluster:v1\nIMAGES nginx:1.25 quay.io/x/y:v1\nLABEL derived=yes\n' >"$T/derived/Kubefile"
before=$(blob_gets)
kfc_build --tls-verify=false -t derived:v1 "$T/derived" >/dev/null 2>"$T/err4" || { not_ok "derived"; sed 's/^/# /' "$T/err4"; }
[ "$(blob_gets)" = "$before" ] && ! grep -q 'cache container images' "$T/err4" &&
	ok "a derived image with the base's images adds no cache step and fetches nothing" ||
	{ not_ok "derived: $before then $(blob_gets)"; sed 's/^/# /' "$T/err4"; }
# --pull=never with the source registry stopped: the images come from the store
registry_stop_dir "$T/src"
kubefile 'LABEL offline=yes'
if kfc_build --pull=never -t cluster:v2 --image-list "$T/list.txt" "$C" >/dev/null 2>"$T/err5" &&
	grep -q 'cache container images (4)' "$T/err5"; then
	ok "--pull=never rebuilds the cache with the source registry stopped"
else
	not_ok "--pull=never"; sed 's/^/# /' "$T/err5"
fi
kubefile 'LABEL offline=yes' 'IMAGES nginx:9.9'
kfc_build --pull=never -t cluster:v3 "$C" >/dev/null 2>"$T/err6"
rc=$?
grep -qx 'kfc build: container image nginx:9.9 (manifests/imageList:2:1): not in the local store, and --pull=never \[KF618\]' "$T/err6" &&
	[ $rc -eq 1 ] && ok "--pull=never and an image never pulled: a clear error naming the image and where it was found" ||
	{ not_ok "--pull=never missing image (exit $rc)"; sed 's/^/# /' "$T/err6"; }
mkdir -p "$T/many"
{ printf 'FROM scratch\nIMAGES'; for i in 1 2 3 4 5 6 7 8 9 10 11 12; do printf ' gone/img%s:v1' "$i"; done; printf '\n'; } >"$T/many/Kubefile"
kfc_build --pull=never -t many:v1 "$T/many" >/dev/null 2>"$T/err7"
[ "$(grep -c 'KF618' "$T/err7")" = 11 ] &&
	grep -qx 'kfc build: and 2 more container images cannot be had (not said one by one) \[KF618\]' "$T/err7" &&
	ok "twelve missing images: ten said one by one, then how many more" || { not_ok "many missing"; sed 's/^/# /' "$T/err7"; }


# ---- kfc inspect: what the cache holds ------------------------------------------------------
"$KFC" inspect cluster:v1 >"$T/inspect" 2>"$T/err" || not_ok "kfc inspect"
sed -n '/^Container image cache/,/^Layers:/p' "$T/inspect" | sed 's/sha256:[0-9a-f]*/sha256:D/; s/  [0-9]* bytes$/  N bytes/' >"$T/inspect.cache"
cat >"$T/want" <<'EOF'
Container image cache (registry/):
  calico/node:v3  sha256:D  linux/amd64  N bytes
  kfc/multi:v1  sha256:D  linux/amd64  N bytes
  library/nginx:1.25  sha256:D  linux/amd64  N bytes
  x/y:v1  sha256:D  linux/amd64  N bytes
  complete: every listed image is cached
Layers:
EOF
compare "$T/want" "$T/inspect.cache" "kfc inspect lists each cached image (repository, tag, digest, platform, size) and says the cache is complete"
"$KFC" inspect --format=json cluster:v1 | "$OCI_PYTHON" -c '
import json, sys
c = json.load(sys.stdin)["imageCache"]
assert c["complete"] is True and c["missing"] == [], c
assert [i["repository"] for i in c["images"]] == ["calico/node", "kfc/multi", "library/nginx", "x/y"], c
' && ok "kfc inspect --format=json has the cache" || not_ok "inspect json"

# ---- sealos's way: a context whose Kubefile copies registry -----------------------------------
registry_start_http "$T/src2" >/dev/null || not_ok "restarting the source registry"
SRC_LOG=$REG_LOG
for name in library/nginx:1.25 x/y:v1 calico/node:v3; do
	skopeo copy -q --dest-tls-verify=false "oci:$T/lay-1-amd64:v1" "docker://$REG_ADDR/$name" || not_ok "pushing $name again"
done
sed -i "s|http://$SRC|http://$REG_ADDR|g" "$T/registries.yaml"
SRC=$REG_ADDR
S=$T/sealos
mkdir -p "$S/charts/web/templates" "$S/images/shim" "$S/manifests"
cp "$C/charts/web/Chart.yaml" "$C/charts/web/values.yaml" "$S/charts/web/"
cp "$C/charts/web/templates/d.yaml" "$S/charts/web/templates/"
cp "$C/manifests/pod.yaml" "$S/manifests/"
printf 'quay.io/x/y:v1\n# a comment\n\ndocker.io/library/busybox:1.36\n' >"$S/images/shim/list"
printf 'docker.io/library/busybox:1.36\n' >"$S/.sealignore"
printf 'FROM scratch\nCOPY registry registry\nCOPY charts charts\nCMD ["echo hi"]\n' >"$S/Kubefile"
if kfc_build --tls-verify=false --build-mode=all -t sealos:v1 -o "oci:$T/sealos-oci:v1" "$S" >/dev/null 2>"$T/err"; then
	rm -rf "$T/sb"
	umoci unpack --rootless --image "$T/sealos-oci:v1" "$T/sb" >/dev/null 2>&1
	(cd "$T/sb/rootfs/registry/docker/registry/v2/repositories" && find . -name current | sort) >"$T/got"
	printf './calico/node/_manifests/tags/v3/current\n./library/nginx/_manifests/tags/1.25/current\n./x/y/_manifests/tags/v1/current\n' >"$T/want"
	compare "$T/want" "$T/got" "a sealos context (COPY registry registry, charts/, manifests/, images/shim/, .sealignore): registry/ holds exactly its images"
	[ ! -e "$S/registry" ] && ok "the context is not written to" || not_ok "the build wrote $S/registry"
	grep -q '^\[1/3\] COPY registry registry$' "$T/err" && ! grep -q 'cache container images' "$T/err" &&
		ok "sealer's step has nothing left to cache after sealos's COPY" || { not_ok "sealos steps"; sed 's/^/# /' "$T/err"; }
else
	not_ok "the sealos-style build"; sed 's/^/# /' "$T/err"
fi
# the user's own registry/ is merged, not replaced
mkdir -p "$S/registry/own"
echo mine >"$S/registry/own/file"
kfc_build --tls-verify=false -t sealos:v2 -o "oci:$T/sealos-oci:v2" "$S" >/dev/null 2>"$T/err" || { not_ok "the merge build"; sed 's/^/# /' "$T/err"; }
rm -rf "$T/sb2"
umoci unpack --rootless --image "$T/sealos-oci:v2" "$T/sb2" >/dev/null 2>&1
[ "$(cat "$T/sb2/rootfs/registry/own/file" 2>/dev/null)" = mine ] &&
	[ -f "$T/sb2/rootfs/registry/docker/registry/v2/repositories/x/y/_manifests/tags/v1/current/link" ] &&
	ok "a registry/ the context has is merged with the images saved" || not_ok "merge"
rm -rf "$S/registry"
kfc_build --tls-verify=false --save-image=false -t sealos:v3 "$S" >/dev/null 2>"$T/err"
rc=$?
grep -q "source 'registry' not found in the build context" "$T/err" && [ $rc -eq 1 ] &&
	ok "--save-image=false: COPY registry needs the context's folder again" || { not_ok "--save-image=false (exit $rc)"; sed 's/^/# /' "$T/err"; }

# ---- sealos's archives (images/skopeo/tar.txt) and COPY . . -----------------------------------
A=$T/arch
mkdir -p "$A/images/skopeo"
skopeo copy -q "oci:$T/lay-3-amd64:v1" "docker-archive:$A/images/skopeo/config_main.tar:library/config_main:latest" ||
	not_ok "making the docker archive"
printf 'docker-archive:config_main.tar@library/config_main\n' >"$A/images/skopeo/tar.txt"
printf 'FROM scratch\nCOPY . .\n' >"$A/Kubefile"
if kfc_build --tls-verify=false -t arch:v1 -o "oci:$T/arch-oci:v1" "$A" >/dev/null 2>"$T/err"; then
	rm -rf "$T/ab"
	umoci unpack --rootless --image "$T/arch-oci:v1" "$T/ab" >/dev/null 2>&1
	link=$T/ab/rootfs/registry/docker/registry/v2/repositories/library/config_main/_manifests/tags/latest/current/link
	[ -f "$link" ] && [ -f "$T/ab/rootfs/images/skopeo/tar.txt" ] &&
		ok "COPY . . with images/skopeo/tar.txt: the archive's image is saved as its name in registry/" ||
		{ not_ok "tar.txt"; find "$T/ab/rootfs" -maxdepth 3 | sed 's/^/# /'; }
else
	not_ok "the tar.txt build"; sed 's/^/# /' "$T/err"
fi
printf 'docker-archive:../../../etc/passwd@library/x\n' >"$A/images/skopeo/tar.txt"
kfc_build --tls-verify=false -t arch:v2 "$A" >/dev/null 2>"$T/err"
rc=$?
grep -q "^$A/Kubefile:2:1: error: images/skopeo/tar.txt:1: \.\./\.\./\.\./etc/passwd: '\.\./\.\./\.\./etc/passwd' is not a file under images/skopeo \[KF618\]$" "$T/err" && [ $rc -eq 1 ] &&
	ok "a tar.txt line that leaves images/skopeo: KF618 at the COPY, nothing read outside the context" ||
	{ not_ok "tar.txt escape (exit $rc)"; sed 's/^/# /' "$T/err"; }

# ---- sealer's --image-list-with-auth, and a registry that refuses the credentials ----------------
registry_start_basic "$T/basic" --http kfc:secret >/dev/null || not_ok "the Basic registry"
BASIC=$REG_ADDR
skopeo copy -q --dest-tls-verify=false --dest-creds kfc:secret "oci:$T/lay-2-amd64:v1" "docker://$BASIC/private/app:v2" ||
	not_ok "pushing to the Basic registry"
mkdir -p "$T/authctx"
printf 'FROM scratch\nLABEL a=b\n' >"$T/authctx/Kubefile"
printf -- '- registry: %s\n  username: kfc\n  password: secret\n  images:\n  - private/app:v2\n' "$BASIC" >"$T/auth.yaml"
if kfc_build --tls-verify=false -t authed:v1 --image-list-with-auth "$T/auth.yaml" "$T/authctx" >/dev/null 2>"$T/err" &&
	"$KFC" inspect authed:v1 | grep -q '^  private/app:v2  sha256:'; then
	ok "--image-list-with-auth: the section's credentials fetch its images, named with its registry"
else
	not_ok "--image-list-with-auth"; sed 's/^/# /' "$T/err"
fi
printf -- '- registry: %s\n  username: kfc\n  password: wrong\n  images:\n  - private/app:v2\n' "$BASIC" >"$T/auth.yaml"
kfc_build --tls-verify=false --no-cache -t authed:v2 --image-list-with-auth "$T/auth.yaml" "$T/authctx" >/dev/null 2>"$T/err"
rc=$?
grep -qx "kfc build: container image $BASIC/private/app:v2 (--image-list-with-auth): $BASIC: access denied (HTTP 401).*\[KF618\]" "$T/err" &&
	[ $rc -eq 1 ] && ! "$KFC" inspect authed:v2 >/dev/null 2>&1 &&
	ok "a registry that refuses the credentials: KF618 names the image and where it was listed; nothing tagged" ||
	{ not_ok "refused credentials (exit $rc)"; sed 's/^/# /' "$T/err"; }
registry_stop_dir "$T/basic"

# ---- an image that does not exist; a blob with the wrong digest -------------------------------
printf 'FROM scratch\nIMAGES quay.io/x/none:v9\n' >"$T/authctx/Kubefile"
kfc_build --tls-verify=false -t none:v1 "$T/authctx" >/dev/null 2>"$T/err"
rc=$?
grep -qx "kfc build: container image quay.io/x/none:v9 (manifests/imageList:1:1): mirror http://$SRC: $SRC/x/none: manifest v9: HTTP 404, MANIFEST_UNKNOWN: manifest unknown; the registry: .* \[KF618\]" "$T/err" &&
	[ $rc -eq 1 ] && ok "an image that does not exist: KF618 with the image, where it was found and what each place said" ||
	{ not_ok "missing image (exit $rc)"; sed 's/^/# /' "$T/err"; }
registry_start_hostile "$T/bad" "$T/lay-3-amd64" --fault bad-digest >/dev/null || not_ok "the hostile registry"
printf 'FROM scratch\nIMAGES %s/calico/node:v1\n' "$REG_ADDR" >"$T/authctx/Kubefile"
KFC_STORE="$T/badstore" kfc_build --tls-verify=false -t bad:v1 "$T/authctx" >/dev/null 2>"$T/err"
rc=$?
grep -q "^kfc build: container image $REG_ADDR/calico/node:v1 (manifests/imageList:1:1): $REG_ADDR/calico/node: blob sha256:[0-9a-f]*: its bytes have the digest sha256:[0-9a-f]* \[KF618\]$" "$T/err" &&
	[ $rc -eq 1 ] && KFC_STORE="$T/badstore" "$KFC" fsck >/dev/null 2>&1 &&
	[ -z "$(ls -A "$T/badstore/tmp" 2>/dev/null)" ] && ! KFC_STORE="$T/badstore" "$KFC" inspect bad:v1 >/dev/null 2>&1 &&
	ok "a blob with the wrong digest: KF618, the store sound, nothing half-written, no image" ||
	{ not_ok "bad digest (exit $rc)"; sed 's/^/# /' "$T/err"; }
registry_stop_dir "$T/bad"

# ---- disk full in the store (as root: a small tmpfs) -------------------------------------------
if [ -n "$T" ] && [ "$(id -u)" = 0 ] && mkdir -p "$T/full" && mount -t tmpfs -o size=600k tmpfs "$T/full" 2>/dev/null; then
	dd if=/dev/urandom of="$T/mk/big" bs=1k count=900 2>/dev/null
	printf 'FROM scratch\nCOPY big /big\n' >"$T/mk/Kubefile"
	KFC_STORE="$T/mkstore" "$KFC" build --progress=quiet --build-mode=lite --compression=none -t "$SRC/big/one:v1" "$T/mk" >/dev/null 2>&1
	KFC_STORE="$T/mkstore" "$KFC" push -q --tls-verify=false "$SRC/big/one:v1" >/dev/null 2>&1 || not_ok "pushing the big image"
	printf 'FROM scratch\nIMAGES %s/big/one:v1\n' "$SRC" >"$T/authctx/Kubefile"
	KFC_STORE="$T/full/store" kfc_build --tls-verify=false -t full:v1 "$T/authctx" >/dev/null 2>"$T/err"
	rc=$?
	grep -q "^kfc build: container image $SRC/big/one:v1 (manifests/imageList:1:1): $SRC/big/one: blob sha256:[0-9a-f]*: writing it into .*: No space left on device \[KF618\]$" "$T/err" &&
		[ $rc -eq 1 ] && [ -z "$(ls -A "$T/full/store/tmp" 2>/dev/null)" ] && KFC_STORE="$T/full/store" "$KFC" fsck >/dev/null 2>&1 &&
		ok "disk full in the store: KF618 names the image, nothing half-written" ||
		{ not_ok "disk full (exit $rc)"; sed 's/^/# /' "$T/err"; }
	umount "$T/full"
else
	echo "# disk full: not root (no tmpfs), not run"
fi
registry_stop_dir "$T/src2"

finish
