#!/bin/sh
# build.sh - kfc build end to end: real contexts built into OCI layouts and
# checked by real tools (umoci, skopeo, a docker-registry on 127.0.0.1) and
# by tests/oci-verify.py (every digest, size and diff_id, the image-spec JSON
# schemas); the plan, the store, the cache, reproducibility, concurrent
# builds, context escapes, errors and an interrupted build.
# KF_REGEN=1 rewrites the golden files under tests/golden/build/.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/oci-lib.sh"

T=$(mktemp -d)
trap 'oci_cleanup; rm -rf "$T"' EXIT
export KFC_STORE="$T/store"
G=$KF_TESTDATA/golden/build
umask 022

# golden NAME FILE: compares FILE with golden/build/NAME (or rewrites it)
golden() {
	if [ -n "${KF_REGEN:-}" ]; then
		cp "$2" "$G/$1"
		ok "$1 (regenerated)"
	else
		compare "$G/$1" "$2" "$1"
	fi
}

# json_get FILE EXPR: a Python expression over the JSON document d
json_get() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=eval(sys.argv[2]); print(r if isinstance(r,str) else json.dumps(r, sort_keys=True))' "$1" "$2"
}

# ---- the contexts ------------------------------------------------------------
# base: every kind of app, ENV/APPENV, labels, COPY/ADD forms, a heredoc, a
# RUN that adds and deletes files, PLUGINS, IMAGES, KUBEVERSION, LAUNCH.
B=$T/base
mkdir -p "$B/manifests" "$B/charts/web/templates" "$B/scripts" "$B/bin" "$B/plugins" "$B/tarsrc/sub" "$B/etc"
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.25\n' >"$B/manifests/web.yaml"
printf 'apiVersion: v2\nname: web\nversion: 0.1.0\nappVersion: "1.0"\n' >"$B/charts/web/Chart.yaml"
printf 'image:\n  repository: redis\n  tag: "7"\n' >"$B/charts/web/values.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n' >"$B/charts/web/templates/cm.yaml"
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Chart.Name }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: cache\n          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n' >"$B/charts/web/templates/deploy.yaml"
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: broken\nspec: [unclosed\n' >"$B/scripts/broken.yaml"
printf '#!/bin/sh\necho installing\n' >"$B/scripts/install.sh"
printf '#!/bin/sh\necho tool\n' >"$B/bin/tool"
chmod 755 "$B/bin/tool"
printf 'kind: Plugin\n' >"$B/plugins/hostname.yaml"
printf 'a\n' >"$B/tarsrc/sub/a.txt"
printf 'old\n' >"$B/etc/obsolete.conf"
printf 'busybox:1.36\n# a comment\n\nquay.io/coreos/etcd:v3.5.9\n' >"$B/imagelist.txt"
(cd "$B/tarsrc" && tar cf - --sort=name --owner=0 --group=0 --mtime=@1600000000 sub | gzip -n >"$B/files.tgz")
rm -rf "$B/tarsrc"
cat >"$B/Kubefile" <<'KUBEFILE'
FROM scratch
ARG VERSION=1.0
ENV CLUSTER=demo
LABEL org.opencontainers.image.version=${VERSION}
COPY bin/tool /bin/
COPY --chmod=0600 manifests/ /manifests/
COPY etc /etc/
ADD files.tgz /opt/files/
COPY <<EOF /etc/motd
hello ${CLUSTER}
EOF
RUN mkdir -p var/lib && echo built >var/lib/marker && rm etc/obsolete.conf && ln -s ../../bin/tool var/lib/tool
APP web local://manifests/web.yaml
APP chart local://charts/web
APP setup local://scripts/install.sh
COPY scripts/broken.yaml /manifests/
APP raw local://bin/tool
APPCMDS raw ["./tool", "--install"]
CNI calico local://manifests/web.yaml
APPENV web REPLICAS=3
PLUGINS plugins/hostname.yaml
IMAGES docker.io/library/alpine:3.19
IMAGES --file=imagelist.txt
KUBEVERSION >=1.22 <1.30
LAUNCH ["calico", "web", "chart", "setup", "raw"]
KUBEFILE

# derived: FROM the first (by its store name), deletes a base directory,
# adds an app, names an inherited app in APPCMDS and LAUNCH
D=$T/derived
mkdir -p "$D"
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: extra\nspec:\n  containers:\n    - name: x\n      image: alpine:3.19\n' >"$D/extra.yaml"
cat >"$D/Kubefile" <<'KUBEFILE'
FROM base:v1
RUN rm -r opt/files && echo more >>etc/motd
APP extra local://extra.yaml
APPCMDS setup ["bash", "install.sh", "--quiet"]
LAUNCH ["web", "extra", "setup"]
KUBEFILE

SDE=1700000000
build() { SOURCE_DATE_EPOCH=$SDE "$KFC" build --build-mode=lite --progress=plain "$@"; }

# ---- base: build, verify, unpack, inspect --------------------------------------
if build -t base:v1 -o "oci:$T/base-oci:v1" "$B" >"$T/base.out" 2>"$T/base.err"; then
	ok "base builds"
else
	not_ok "base builds"; sed 's/^/# /' "$T/base.err"
fi
if oci_verify "$T/base-oci" --ref v1 >"$T/verify.out" 2>&1; then ok "base: oci-verify accepts the layout"; else
	not_ok "base: oci-verify accepts the layout"; sed 's/^/# /' "$T/verify.out"; fi
if umoci_unpack "$T/base-oci:v1" "$T/base-unpacked"; then
	rootfs_listing "$T/base-unpacked/rootfs" >"$T/base.listing"
	golden base.listing "$T/base.listing"
else
	not_ok "base: umoci unpacks it"
fi
if skopeo_inspect "$T/base-oci:v1" >"$T/base.skopeo" && skopeo_inspect "$T/base-oci:v1" --raw >"$T/base.manifest"; then
	json_get "$T/base.skopeo" 'd["Labels"]' | python3 -m json.tool --sort-keys >"$T/base.labels"
	golden base.labels "$T/base.labels"
	json_get "$T/base.manifest" 'json.loads(d["annotations"]["sealer.image.extension"])' |
		python3 -m json.tool --sort-keys >"$T/base.extension"
	golden base.extension "$T/base.extension"
	json_get "$T/base.manifest" 'json.loads(d["annotations"]["sealer.image.container.images"])' |
		python3 -m json.tool >"$T/base.images"
	golden base.images "$T/base.images"
else
	not_ok "base: skopeo inspects it"
fi
"$KFC" inspect base:v1 | sed -e 's/sha256:[0-9a-f]\{64\}/sha256:…/g' >"$T/base.inspect"
golden base.inspect "$T/base.inspect"
"$KFC" plan "$B" | sed "s|$B|CONTEXT|g" >"$T/base.plan"
golden base.plan.json "$T/base.plan"

grep '^manifests/broken.yaml' "$T/base.err" >"$T/got"
printf '%s\n' "manifests/broken.yaml:6:1: warning: not valid YAML: did not find expected ',' or ']' while parsing a flow sequence; images after this point are not counted [KF301]" >"$T/want"
compare "$T/want" "$T/got" "container image discovery: malformed YAML is a located warning, the build goes on"

# ---- the command-line-only build equals the Kubefile it prints ---------------------------
C=$T/cli
mkdir -p "$C"
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: myapp\nspec:\n  template:\n    spec:\n      containers:\n        - name: myapp\n          image: nginx:1.25\n' >"$C/myapp.yaml"
printf 'quay.io/extra/one:1\nnginx:1.25\nquay.io/extra/two\n' >"$T/more-images"
printf 'docker.io/library/nginx:1.25\nquay.io/extra/two\n' >"$T/ignored-images"
set -- --from scratch --cluster-runtime k8s --cluster-runtime-version v1.19.8 --cri containerd --cri-version 1.6 \
	--platform linux/amd64 --startup-cmd "kubectl apply -f manifests/myapp.yaml" --container-images nginx:1.25 \
	--build-context myapp.yaml
(cd "$C" && "$KFC" build --build-mode=lite "$@" --print-kubefile) >"$T/cli.kubefile"
golden cli.kubefile "$T/cli.kubefile"
dc=$(cd "$C" && build -t myapp:v1 -o "oci:$T/cli-oci:v1" "$@" 2>"$T/cli.err")
cp "$T/cli.kubefile" "$C/Kubefile"
build --no-cache -t myapp:v2 "$C" >/dev/null 2>&1
dk=$("$KFC" inspect --format=json myapp:v2 | json_get /dev/stdin 'd["digest"]')
if [ -n "$dc" ] && [ "$dc" = "$dk" ]; then ok "kfc build --from … gives the image of the Kubefile --print-kubefile shows"; else
	not_ok "command-line-only build: $dc, from its Kubefile: $dk"; sed 's/^/# /' "$T/cli.err"; fi
if oci_verify "$T/cli-oci" --ref v1 >"$T/verify.out" 2>&1 && umoci_unpack "$T/cli-oci:v1" "$T/cli-unpacked" &&
	[ -f "$T/cli-unpacked/rootfs/manifests/myapp.yaml" ] &&
	[ "$(json_get "$T/cli-oci/index.json" 'd["manifests"][0]["digest"]')" = "$dc" ]; then
	ok "command-line-only build (CMDS): a valid image with the manifest in manifests/"
else
	not_ok "command-line-only build: the image"; sed 's/^/# /' "$T/verify.out"
fi
"$KFC" inspect myapp:v1 | sed -n '/^Cluster:/,/^Labels:/p' >"$T/cli.descriptor"
golden cli.descriptor "$T/cli.descriptor"
skopeo_inspect "$T/cli-oci:v1" --raw | json_get /dev/stdin 'json.loads(d["annotations"]["sealer.image.container.images"])' >"$T/cli.images"
printf '%s\n' '[{"image": "docker.io/library/nginx:1.25", "platform": {"architecture": "amd64", "os": "linux"}}]' >"$T/want"
compare "$T/want" "$T/cli.images" "command-line-only build: the container image annotation"
build --image-list "$T/more-images" --ignored-image-list "$T/ignored-images" -o "oci:$T/cli-oci2:v1" "$C" >/dev/null 2>"$T/cli2.err"
skopeo_inspect "$T/cli-oci2:v1" --raw | json_get /dev/stdin '[e["image"] for e in json.loads(d["annotations"]["sealer.image.container.images"])]' >"$T/cli.images2"
printf '%s\n' '["quay.io/extra/one:1"]' >"$T/want"
compare "$T/want" "$T/cli.images2" "--image-list adds images, --ignored-image-list leaves them out"
# an image without a tag: a warning in an --image-list (KF310), none in an --ignored-image-list
grep -F '[KF310]' "$T/cli2.err" | sed "s|$T/||" >"$T/cli2.kf310"
printf '%s\n' "more-images:3:1: warning: image 'quay.io/extra/two' has no tag: pin a version or a digest; :latest moves, so the build is not reproducible and an offline rebuild (--pull=never) may resolve it to another image [KF310]" >"$T/want"
compare "$T/want" "$T/cli2.kf310" "--image-list: a located warning for an image without a tag; --ignored-image-list: none"

# ---- derived -------------------------------------------------------------------
if build -t derived:v1 -o "oci:$T/derived-oci:v1" "$D" >"$T/derived.out" 2>"$T/derived.err"; then
	ok "derived builds FROM base:v1"
else
	not_ok "derived builds FROM base:v1"; sed 's/^/# /' "$T/derived.err"
fi
if oci_verify "$T/derived-oci" --ref v1 >"$T/verify.out" 2>&1; then ok "derived: oci-verify accepts the layout"; else
	not_ok "derived: oci-verify accepts the layout"; sed 's/^/# /' "$T/verify.out"; fi
if umoci_unpack "$T/derived-oci:v1" "$T/derived-unpacked"; then
	rootfs_listing "$T/derived-unpacked/rootfs" >"$T/derived.listing"
	golden derived.listing "$T/derived.listing"
	printf 'hello demo\nmore\n' >"$T/want"
	compare "$T/want" "$T/derived-unpacked/rootfs/etc/motd" "derived: RUN appended to a base file"
else
	not_ok "derived: umoci unpacks it"
fi
skopeo_inspect "$T/derived-oci:v1" --raw >"$T/derived.manifest"
if python3 -c 'import json,sys
a=[l["digest"] for l in json.load(open(sys.argv[1]))["layers"]]
b=[l["digest"] for l in json.load(open(sys.argv[2]))["layers"]]
sys.exit(0 if a[:len(b)] == b and len(a) == len(b) + 2 else 1)' "$T/derived.manifest" "$T/base.manifest"; then
	ok "derived: the base layers and two of its own"
else
	not_ok "derived: the base layers and two of its own"
fi
json_get "$T/derived.manifest" 'json.loads(d["annotations"]["sealer.image.extension"])' |
	python3 -m json.tool --sort-keys >"$T/derived.extension"
golden derived.extension "$T/derived.extension"

# ---- a registry round trip ---------------------------------------------------------
if registry_start "$T/registry"; then
	if skopeo_roundtrip "$T/base-oci:v1"; then ok "base: through a registry and back, same digest"; else
		not_ok "base: through a registry and back, same digest"; fi
	if skopeo_roundtrip "$T/derived-oci:v1"; then ok "derived: through a registry and back, same digest"; else
		not_ok "derived: through a registry and back, same digest"; fi
	registry_stop
else
	not_ok "the registry starts"
fi

# ---- reproducible and cached ----------------------------------------------------------
d1=$(sed -n 1p "$T/base.out")
d2=$(KFC_STORE=$T/store2 build --no-cache -o "oci:$T/again:v1" "$B" 2>/dev/null)
if [ -n "$d1" ] && [ "$d1" = "$d2" ]; then ok "SOURCE_DATE_EPOCH: a second build in another store has the same digest"; else
	not_ok "SOURCE_DATE_EPOCH: same digest ($d1, $d2)"; fi
# several compression chunks and threads: the thread count never changes the bytes
mkdir -p "$T/chunks"
awk 'BEGIN { srand(7); for (i = 0; i < 300000; i++) printf "%d %x line of text\n", i, int(rand() * 1e9) }' >"$T/chunks/text"
printf 'FROM scratch\nCOPY text /\n' >"$T/chunks/Kubefile"
for c in gzip zstd; do
	t1=$(KFC_STORE=$T/s-$c-1 build --threads=1 --compression=$c "$T/chunks" 2>/dev/null)
	t3=$(KFC_STORE=$T/s-$c-3 build --threads=3 --compression=$c -o "oci:$T/chunks-$c:v1" "$T/chunks" 2>/dev/null)
	if [ -n "$t1" ] && [ "$t1" = "$t3" ] && oci_verify "$T/chunks-$c" >"$T/verify.out" 2>&1; then
		ok "$c: the same image with 1 and 3 compression threads"
	else
		not_ok "$c: 1 thread $t1, 3 threads $t3"; sed 's/^/# /' "$T/verify.out"
	fi
done
d3=$(build -t base:v1 "$B" 2>"$T/cached.err")
nsteps=$(grep -c '\] => ' "$T/cached.err")
ncached=$(grep -c '\] => CACHED' "$T/cached.err")
if [ "$d3" = "$d1" ] && [ "$nsteps" -gt 10 ] && [ "$ncached" -eq "$nsteps" ]; then
	ok "an unchanged rebuild reuses every step ($ncached of $nsteps) and gives the same image"
else
	not_ok "an unchanged rebuild reuses every step ($ncached of $nsteps)"; sed 's/^/# /' "$T/cached.err"
fi
d4=$(build --no-cache "$B" 2>"$T/nocache.err")
if [ "$(grep -c '=> CACHED' "$T/nocache.err")" -eq 0 ] && [ "$d4" = "$d1" ]; then
	ok "--no-cache rebuilds every step, to the same image"
else
	not_ok "--no-cache rebuilds every step"
fi
printf 'echo changed\n' >>"$B/scripts/install.sh"
build "$B" >/dev/null 2>"$T/changed.err"
grep '\] => CACHED' "$T/changed.err" | sed 's/ .*//' >"$T/cached"
printf '[4/22]\n[5/22]\n[6/22]\n[7/22]\n[8/22]\n[9/22]\n[10/22]\n[11/22]\n' >"$T/want"
compare "$T/want" "$T/cached" "a changed app source rebuilds from its step on"
dt1=$(build "$B" 2>/dev/null)
touch "$B/plugins/hostname.yaml"
dt2=$(build "$B" 2>"$T/touched.err")
grep '\] => ' "$T/touched.err" | grep -v CACHED | sed 's/ .*//' >"$T/rebuilt"
printf '[18/22]\n' >"$T/want"
if cmp -s "$T/want" "$T/rebuilt" && [ "$dt1" = "$dt2" ]; then
	ok "a touched but unchanged source: its step runs again, the later ones stay cached, the image is the same"
else
	not_ok "a touched source"; sed 's/^/# /' "$T/touched.err"
fi

# ---- outputs and compression ----------------------------------------------------------
if build --compression=zstd --compression-level=3 -o "oci:$T/zstd:v1" "$B" >/dev/null 2>"$T/zstd.err" &&
	oci_verify "$T/zstd" --ref v1 >"$T/verify.out" 2>&1 &&
	skopeo_inspect "$T/zstd:v1" --raw | grep -q 'tar+zstd'; then
	ok "--compression=zstd: zstd layers that oci-verify and skopeo accept"
else
	not_ok "--compression=zstd"; sed 's/^/# /' "$T/zstd.err" "$T/verify.out"
fi
if build --compression=none -o "oci-archive:$T/base.tar:v1" "$B" >/dev/null 2>&1 &&
	oci_skopeo inspect "oci-archive:$T/base.tar:v1" >"$T/archive.inspect" 2>&1 &&
	mkdir "$T/from-archive" && tar xf "$T/base.tar" -C "$T/from-archive" &&
	oci_verify "$T/from-archive" --ref v1 >"$T/verify.out" 2>&1; then
	ok "-o oci-archive: an archive skopeo reads, of a valid layout"
else
	not_ok "-o oci-archive"; sed 's/^/# /' "$T/archive.inspect" "$T/verify.out"
fi

# ---- the store ---------------------------------------------------------------------------
"$KFC" images | awk '{print $1, $2}' >"$T/images"
printf 'REPOSITORY TAG\nbase v1\nderived v1\nmyapp v1\nmyapp v2\n' >"$T/want"
compare "$T/want" "$T/images" "kfc images lists the tagged images"
(build -t c1:v1 "$B" >"$T/c1.out" 2>&1; echo $? >"$T/c1.rc") &
(build -t c2 "$D" >"$T/c2.out" 2>&1; echo $? >"$T/c2.rc") &
wait
if [ "$(cat "$T/c1.rc")" = 0 ] && [ "$(cat "$T/c2.rc")" = 0 ] && "$KFC" images | grep -q '^c1 ' &&
	"$KFC" images | grep -q '^c2 '; then
	ok "two builds into one store at once both succeed"
else
	not_ok "concurrent builds"; sed 's/^/# /' "$T/c1.out" "$T/c2.out"
fi
"$KFC" rmi c1:v1 c2 >"$T/rmi.out" 2>&1
grep untagged "$T/rmi.out" >"$T/rmi.got"
printf 'untagged c1:v1\nuntagged c2:latest\n' >"$T/want"
compare "$T/want" "$T/rmi.got" "kfc rmi untags"
"$KFC" rmi nosuch:v9 >/dev/null 2>"$T/rmi.err"
rc=$?
printf "kfc rmi: no image named 'nosuch:v9'\n" >"$T/want"
if [ $rc -eq 1 ]; then compare "$T/want" "$T/rmi.err" "kfc rmi of an unknown name"; else
	not_ok "kfc rmi of an unknown name: exit $rc"; fi
# ---- names: one normalised name per image (docker's rules), shown in the familiar form
"$KFC" build --build-mode=lite -t My/Image:v1 "$B" >/dev/null 2>"$T/upper.err"
rc=$?
printf "kfc build: -t 'My/Image:v1' is no image name: the name must be lower case\n" >"$T/want"
if [ $rc -eq 2 ]; then compare "$T/want" "$T/upper.err" "-t with upper case is refused"; else
	not_ok "-t with upper case: exit $rc"; fi
if python3 -c 'import json,sys; print("\n".join(sorted(m["annotations"]["org.opencontainers.image.ref.name"] for m in json.load(open(sys.argv[1]))["manifests"])))' \
	"$KFC_STORE/index.json" >"$T/names" &&
	printf 'docker.io/library/base:v1\ndocker.io/library/derived:v1\ndocker.io/library/myapp:v1\ndocker.io/library/myapp:v2\n' >"$T/want"; then
	compare "$T/want" "$T/names" "the store keeps normalised names"
fi
mkdir -p "$T/longname"
printf 'FROM docker.io/library/base:v1\nCOPY x /x\n' >"$T/longname/Kubefile"
echo x >"$T/longname/x"
if build -t index.docker.io/library/longname "$T/longname" >"$T/longname.out" 2>&1 &&
	"$KFC" inspect docker.io/library/longname:latest >/dev/null 2>&1 && "$KFC" images | grep -q '^longname  *latest '; then
	ok "FROM docker.io/library/base:v1 finds base:v1, and -t index.docker.io/library/longname is longname:latest"
else
	not_ok "FROM and -t with a full name"; sed 's/^/# /' "$T/longname.out"
fi
"$KFC" images --format=json | python3 -c 'import json,sys; print([(i["name"], i["repository"], i["tag"]) for i in json.load(sys.stdin) if i["repository"] == "longname"])' >"$T/names.json"
echo "[('docker.io/library/longname:latest', 'longname', 'latest')]" >"$T/want"
compare "$T/want" "$T/names.json" "kfc images --format=json: the name, and the familiar repository and tag"
"$KFC" rmi docker.io/library/longname >"$T/rmi.out" 2>&1
printf 'untagged longname:latest\n' >"$T/want"
grep untagged "$T/rmi.out" >"$T/rmi.got"
compare "$T/want" "$T/rmi.got" "kfc rmi of a full name untags the familiar one"
# a store written before names were normalised: its names are renamed once
python3 -c '
import json, sys
p = sys.argv[1]
ix = json.load(open(p))
for m in ix["manifests"]:
    a = m["annotations"]
    if a["org.opencontainers.image.ref.name"] == "docker.io/library/myapp:v2":
        a["org.opencontainers.image.ref.name"] = "myapp:v2"
json.dump(ix, open(p, "w"))' "$KFC_STORE/index.json"
if "$KFC" inspect myapp:v2 >/dev/null 2>&1 && grep -q '"docker.io/library/myapp:v2"' "$KFC_STORE/index.json" &&
	! grep -q '"myapp:v2"' "$KFC_STORE/index.json"; then
	ok "an old store's short name is renamed to the normalised one"
else
	not_ok "an old store's short name"; cat "$KFC_STORE/index.json" | head -c 600 | sed 's/^/# /'
fi
# the store is a layout with the cache beside it: what else oci-verify says is a problem
oci_verify "$KFC_STORE" >"$T/store.verify" 2>&1
grep -v -e '^cache: unexpected file' -e '^tmp: unexpected file' -e '^store.lock: unexpected file' \
	-e '^index.lock: unexpected file' -e 'stray file, no descriptor reaches it' "$T/store.verify" >"$T/store.problems"
if [ ! -s "$T/store.problems" ] && "$KFC" inspect derived:v1 >/dev/null; then
	ok "after rmi the store's images are whole"
else
	not_ok "after rmi the store's images are whole"; sed 's/^/# /' "$T/store.problems"
fi

# ---- errors: located, and nothing built --------------------------------------------------
E=$T/errs
mkdir -p "$E/ctx" "$T/outside"
printf 'secret\n' >"$T/outside/secret"
ln -s "$T/outside/secret" "$E/ctx/leak"
printf 'x\n' >"$E/ctx/file"
# berr NAME KUBEFILE-TEXT EXPECTED-STDERR
berr() {
	printf '%s\n' "$2" >"$E/ctx/Kubefile"
	# shellcheck disable=SC2086
	"$KFC" build --build-mode=lite --progress=quiet ${BERR_OPTS:-} -t "err:$1" "$E/ctx" >"$E/out" 2>"$E/err"
	rc=$?
	sed -e "s|$E/ctx|CTX|g" -e "s|$KFC_STORE|STORE|g" "$E/err" >"$E/err.got"
	printf '%s\n' "$3" >"$E/err.want"
	if [ $rc -eq 1 ] && cmp -s "$E/err.want" "$E/err.got" && ! "$KFC" images | grep -q "^err "; then
		ok "error: $1"
	else
		not_ok "error: $1 (exit $rc)"; diff -u "$E/err.want" "$E/err.got" | sed 's/^/# /'
	fi
}
berr dotdot 'FROM scratch
COPY ../outside/secret /x' "CTX/Kubefile:2:6: error: source '../outside/secret' is outside the build context: sources must be paths inside it [KF503]
  COPY ../outside/secret /x
       ^~~~~~~~~~~~~~~~~"
berr absolute 'FROM scratch
COPY /etc/passwd /x' "CTX/Kubefile:2:6: error: source '/etc/passwd' is an absolute path: a build reads only its context, write it relative to the context [KF502]
  COPY /etc/passwd /x
       ^~~~~~~~~~~"
berr symlink 'FROM scratch
COPY leak /x' "CTX/Kubefile:2:6: error: source 'leak' leads outside the build context through a symbolic link [KF503]
  COPY leak /x
       ^~~~"
berr missing 'FROM scratch
COPY nothing.yaml /manifests/' "CTX/Kubefile:2:6: error: source 'nothing.yaml' not found in the build context (CTX) [KF504]
  COPY nothing.yaml /manifests/
       ^~~~~~~~~~~~"
berr run-fails 'FROM scratch
RUN exit 3' "CTX/Kubefile:2:1: error: the command failed with exit status 3 [KF604]
  RUN exit 3
  ^~~~~~~~~~"
berr many-to-file 'FROM scratch
COPY file file /dest' "CTX/Kubefile:2:16: error: COPY with 2 sources needs a directory destination ending with / [KF207]
  COPY file file /dest
                 ^~~~~"
# (never pulled: no network in the tests; tests/registry.sh pulls)
BERR_OPTS=--pull=never berr no-base 'FROM nosuch:v1
COPY file /x' "CTX/Kubefile:1:1: error: base image 'nosuch:v1' is not in the local store (STORE) and --pull=never; build it with -t nosuch:v1, pull it, or name a layout with FROM oci:DIR:TAG [KF601]
  FROM nosuch:v1
  ^~~~~~~~~~~~~~"
berr app-escapes 'FROM scratch
APP x local://../outside/secret
APPCMDS x ["cat", "secret"]
LAUNCH ["x"]' "CTX/Kubefile:2:7: error: source 'local://../outside/secret' is outside the build context: sources must be paths inside it [KF112]
  APP x local://../outside/secret
        ^~~~~~~~~~~~~~~~~~~~~~~~~"

# ---- remote sources, owners, modes, heredocs, hard links, build args --------------------
W=$T/web
mkdir -p "$W" "$T/remote" "$T/bad-sum"
printf 'remote file\n' >"$T/remote/notes.txt"
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: r\nspec:\n  containers:\n    - name: r\n      image: busybox:1.36\n' >"$T/remote/remote.yaml"
port=$(oci_free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$T/remote" "$port" >"$T/http.log" 2>&1 &
http_pid=$!
n=0
while [ $n -lt 50 ] && ! oci_http_ok "http://127.0.0.1:$port/notes.txt"; do sleep 0.1; n=$((n + 1)); done
printf 'data\n' >"$W/data.txt"
ln "$W/data.txt" "$W/data-link.txt"
cat >"$W/Kubefile" <<KUBEFILE
FROM scratch
ARG WHERE=opt
ADD --checksum=$(oci_sha256 "$T/remote/notes.txt") http://127.0.0.1:$port/notes.txt /\${WHERE}/
APP remote http://127.0.0.1:$port/remote.yaml
COPY --chown=1000:2000 --chmod=640 data.txt data-link.txt /\${WHERE}/data/
RUN <<EOS
mkdir -p srv
echo "\$WHERE on \$TARGETARCH" >srv/where
EOS
LAUNCH ["remote"]
KUBEFILE
if build --build-arg WHERE=srv --platform linux/arm64 -o "oci:$T/web-oci:v1" "$W" >/dev/null 2>"$T/web.err" &&
	oci_verify "$T/web-oci" --ref v1 >"$T/verify.out" 2>&1; then
	ok "ADD and APP from http://, with --build-arg and --platform"
else
	not_ok "ADD and APP from http://"; sed 's/^/# /' "$T/web.err" "$T/verify.out"
fi
printf 'FROM scratch\nADD --checksum=sha256:%s http://127.0.0.1:%s/notes.txt /\n' \
	0000000000000000000000000000000000000000000000000000000000000000 "$port" >"$T/bad-sum/Kubefile"
"$KFC" build --build-mode=lite --progress=quiet "$T/bad-sum" >/dev/null 2>"$T/sum.err"
printf '%s\n' "$T/bad-sum/Kubefile:2:1: error: http://127.0.0.1:$port/notes.txt: the download's digest is $(oci_sha256 "$T/remote/notes.txt"), not the --checksum sha256:0000000000000000000000000000000000000000000000000000000000000000 [KF603]" >"$T/want"
head -1 "$T/sum.err" >"$T/got"
compare "$T/want" "$T/got" "ADD --checksum: a download with another digest stops the build"
kill "$http_pid" 2>/dev/null
wait "$http_pid" 2>/dev/null
# every layer's entries: name, type, mode, owner, size, link
python3 - "$T/web-oci" >"$T/web.entries" <<'PY'
import json, sys, tarfile
d = sys.argv[1]
idx = json.load(open(d + "/index.json"))
m = json.load(open(d + "/blobs/sha256/" + idx["manifests"][0]["digest"][7:]))
c = json.load(open(d + "/blobs/sha256/" + m["config"]["digest"][7:]))
print(c["architecture"], c.get("variant", ""), json.loads(m["annotations"]["sealer.image.extension"])["applications"][0])
for n, l in enumerate(m["layers"]):
    with tarfile.open(d + "/blobs/sha256/" + l["digest"][7:]) as t:
        for e in t:
            print(n, e.name, e.type.decode(), oct(e.mode), e.uid, e.gid, e.size, e.linkname, e.mtime)
PY
golden web.entries "$T/web.entries"

# ---- globs, FROM oci:DIR, the sandbox, tty progress ----------------------------------------
X=$T/extra
mkdir -p "$X/conf"
printf 'a\n' >"$X/conf/a.yaml"
printf 'b\n' >"$X/conf/b.yaml"
printf 'c\n' >"$X/conf/c.txt"
printf 'h\n' >"$X/conf/.hidden.yaml"
probe=$T/isolation-probe
cat >"$X/Kubefile" <<KUBEFILE
FROM oci:$T/base-oci:v1
COPY conf/*.yaml /etc/conf/
RUN touch $probe
KUBEFILE
if build -o "oci:$T/extra-oci:v1" "$X" >/dev/null 2>"$T/extra.err" && oci_verify "$T/extra-oci" --ref v1 >"$T/verify.out" 2>&1 &&
	umoci_unpack "$T/extra-oci:v1" "$T/extra-unpacked"; then
	rootfs_listing "$T/extra-unpacked/rootfs" | grep 'etc/conf' >"$T/got"
	printf 'd 0755 etc/conf\nf 0644 etc/conf/.hidden.yaml 2\nf 0644 etc/conf/a.yaml 2\nf 0644 etc/conf/b.yaml 2\n' >"$T/want"
	compare "$T/want" "$T/got" "FROM oci:DIR:TAG, and a glob source (dot files too, sorted)"
else
	not_ok "FROM oci:DIR:TAG"; sed 's/^/# /' "$T/extra.err" "$T/verify.out"
fi
if command -v bwrap >/dev/null; then
	if [ ! -e "$probe" ]; then ok "RUN under bwrap: the host's /tmp is not the command's"; else
		not_ok "RUN under bwrap wrote into the host's /tmp"; fi
fi
build --isolation=none --no-cache "$X" >/dev/null 2>&1
if [ -e "$probe" ]; then ok "RUN with --isolation=none runs on the host"; else not_ok "RUN with --isolation=none"; fi
build --progress=tty "$X" >/dev/null 2>"$T/tty.err"
if grep -q "$(printf '\r\033\\[K')\\[1/2\\] COPY conf/\\*.yaml /etc/conf/  CACHED" "$T/tty.err"; then
	ok "--progress=tty rewrites each step's line with its result"
else
	not_ok "--progress=tty"; od -c "$T/tty.err" | head -5 | sed 's/^/# /'
fi

# ---- an image without files still has a layer (the manifest schema asks for one) -------
mkdir -p "$T/empty"
printf 'FROM scratch\nLABEL a=b\nCMDS ["echo hi"]\n' >"$T/empty/Kubefile"
if build -o "oci:$T/empty-oci:v1" "$T/empty" >/dev/null 2>&1 && oci_verify "$T/empty-oci" --ref v1 >"$T/verify.out" 2>&1 &&
	umoci_unpack "$T/empty-oci:v1" "$T/empty-unpacked" && [ -z "$(ls "$T/empty-unpacked/rootfs")" ]; then
	ok "an image of no files: one empty layer, valid, unpacks to nothing"
else
	not_ok "an image of no files"; sed 's/^/# /' "$T/verify.out"
fi

# ---- a full disk, an unusable store ------------------------------------------------------
mkdir -p "$T/big" "$T/small"
head -c 2000000 /dev/urandom >"$T/big/blob.bin"
printf 'FROM scratch\nCOPY blob.bin /\n' >"$T/big/Kubefile"
if mount -t tmpfs -o size=400k tmpfs "$T/small" 2>/dev/null; then
	KFC_STORE=$T/small/store "$KFC" build --build-mode=lite --progress=quiet -t full:v1 "$T/big" >/dev/null 2>"$T/full.err"
	rc=$?
	sed "s|$T/big|CTX|" "$T/full.err" >"$T/full.got"
	printf '%s\n' "CTX/Kubefile:2:1: error: writing the layer: No space left on device [KF605]" "  COPY blob.bin /" \
		"  ^~~~~~~~~~~~~~~" >"$T/want"
	if [ $rc -eq 1 ] && cmp -s "$T/want" "$T/full.got" && [ -z "$(ls "$T/small/store/tmp")" ] &&
		[ -z "$(ls "$T/small/store/blobs/sha256")" ]; then
		ok "a full disk: a located message, nothing left behind"
	else
		not_ok "a full disk (exit $rc)"; diff -u "$T/want" "$T/full.got" | sed 's/^/# /'
	fi
	umount "$T/small"
else
	ok "a full disk # SKIP cannot mount a small tmpfs here"
fi
KFC_STORE=$T/big/blob.bin/store "$KFC" build --build-mode=lite --progress=quiet "$T/big" >/dev/null 2>"$T/store.err"
rc=$?
sed "s|$T/big|CTX|" "$T/store.err" >"$T/store.got"
printf 'kfc build: store: CTX/blob.bin/store: Not a directory [KF617]\n' >"$T/want"
if [ $rc -eq 1 ]; then compare "$T/want" "$T/store.got" "an unusable store: a clear message"; else
	not_ok "an unusable store (exit $rc)"; fi

# ---- usage errors: exit 2 and one clear line ------------------------------------------------
# uerr EXPECTED ARGS...
uerr() {
	want=$1
	shift
	"$KFC" build --build-mode=lite "$@" >/dev/null 2>"$T/uerr"
	rc=$?
	printf '%s\n' "$want" >"$T/want"
	if [ $rc -eq 2 ]; then compare "$T/want" "$T/uerr" "usage: $*"; else not_ok "usage: $* (exit $rc)"; fi
}
uerr "kfc build: -o tar:x: expected oci:DIR[:TAG] or oci-archive:FILE[:TAG]" -o tar:x "$B"
uerr "kfc build: --compression=lz4: gzip, zstd or none" --compression=lz4 "$B"
uerr "kfc build: --compression-level=12: gzip has levels 1 to 9" --compression-level=12 "$B"
uerr "kfc build: --build-arg =X: expected NAME=VALUE or NAME" --build-arg =X "$B"
uerr "kfc build: --threads=4294967297: 1 to 64" --threads=4294967297 "$B"
uerr "kfc build: --from builds without a Kubefile: not with -f" --from scratch -f "$B/Kubefile" "$B"
uerr "kfc build: --startup-cmd, --container-images, --build-context and --print-kubefile build without a Kubefile: give --from IMAGE (scratch for none)" --startup-cmd true "$B"
uerr "kfc build: platform 'linux': expected OS/ARCH[/VARIANT], such as linux/amd64 [KF614]" --platform=linux "$B"
uerr "kfc build: context $T/nowhere: No such file or directory" "$T/nowhere"

# ---- an interrupted build leaves nothing behind ------------------------------------------
mkdir -p "$T/slow"
printf 'FROM scratch\nCOPY Kubefile /k\nRUN sleep 30\n' >"$T/slow/Kubefile"
"$KFC" build --build-mode=lite --progress=plain -t slow:v1 "$T/slow" >"$T/slow.out" 2>"$T/slow.err" &
pid=$!
n=0
while [ $n -lt 50 ] && ! grep -q 'RUN sleep' "$T/slow.err" 2>/dev/null; do
	sleep 0.1
	n=$((n + 1))
done
sleep 0.3
kill -INT $pid
wait $pid
rc=$?
if [ $rc -eq 130 ] && ! "$KFC" images | grep -q '^slow ' && [ -z "$(ls "$KFC_STORE/tmp")" ]; then
	ok "an interrupted build exits 130, tags nothing and leaves no temporary file"
else
	not_ok "interrupted build (exit $rc)"; sed 's/^/# /' "$T/slow.err"; ls -la "$KFC_STORE/tmp" | sed 's/^/# /'
fi
printf 'FROM scratch\nCOPY Kubefile /k\n' >"$T/slow/Kubefile"
if build -t after:v1 "$T/slow" >/dev/null 2>&1; then ok "the store is usable after the interruption"; else
	not_ok "the store is usable after the interruption"; fi

finish
