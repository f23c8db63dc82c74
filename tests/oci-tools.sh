#!/bin/sh
# The OCI test harness against images other tools made: oci-verify.py accepts
# a layout built with umoci, skopeo_roundtrip keeps its digest through a local
# docker-registry, and oci-verify.py rejects broken copies with the exact
# message for each fault.
. "$(dirname "$0")/lib.sh"
. "$KF_SRCDIR/tests/oci-lib.sh"

for t in umoci skopeo docker-registry zstd; do
	command -v "$t" >/dev/null 2>&1 || { echo "$t not found: skipped"; oci_cleanup; exit 77; }
done
"$OCI_PYTHON" -c 'import jsonschema' 2>/dev/null || { echo "python3-jsonschema not found: skipped"; oci_cleanup; exit 77; }

tmp=$(mktemp -d)
trap 'oci_cleanup; rm -rf "$tmp"' EXIT
cd "$tmp" || exit 99

# mutate SRC DEST ACTION: DEST is a copy of the one-image layout SRC with one
# fault; rewritten documents get new blobs, the old blobs are removed.
mutate() {
	rm -rf "$2" && cp -a "$1" "$2" && "$OCI_PYTHON" - "$2" "$3" <<'EOF'
import hashlib, json, os, subprocess, sys, zlib
layout, action = sys.argv[1], sys.argv[2]
blobs = os.path.join(layout, "blobs", "sha256")
def path(d): return os.path.join(blobs, d.split(":", 1)[1])
def read(d):
    with open(path(d), "rb") as f: return f.read()
def put(data):
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    with open(path(d), "wb") as f: f.write(data)
    os.chmod(path(d), 0o644)
    return d, len(data)
def put_json(doc): return put(json.dumps(doc, separators=(",", ":")).encode())

with open(os.path.join(layout, "index.json")) as f: index = json.load(f)
mdesc = index["manifests"][0]
manifest = json.loads(read(mdesc["digest"]))
config = json.loads(read(manifest["config"]["digest"]))
layer = manifest["layers"][0]

if action == "layer-size":
    layer["size"] += 1
elif action == "diff-id":
    config["rootfs"]["diff_ids"][0] = "sha256:" + "0" * 64
elif action == "pad-layer":
    layer["digest"], layer["size"] = put(read(layer["digest"]) + bytes(512))
elif action == "truncate-layer":
    layer["digest"], layer["size"] = put(read(layer["digest"])[:-10])
elif action == "no-history":
    del config["history"]
elif action == "no-schemaVersion":
    del manifest["schemaVersion"]
elif action == "split-gzip":   # the same tar as two gzip members
    tar = zlib.decompress(read(layer["digest"]), wbits=31)
    half = len(tar) // 2
    gz = lambda b: subprocess.run(["gzip", "-n", "-c"], input=b, stdout=subprocess.PIPE, check=True).stdout
    layer["digest"], layer["size"] = put(gz(tar[:half]) + gz(tar[half:]))
elif action == "zstd":
    tar = zlib.decompress(read(layer["digest"]), wbits=31)
    z = subprocess.run(["zstd", "-q", "-c"], input=tar, stdout=subprocess.PIPE, check=True).stdout
    layer["digest"], layer["size"] = put(z)
    layer["mediaType"] = "application/vnd.oci.image.layer.v1.tar+zstd"
elif action == "extension":
    manifest.setdefault("annotations", {})["sealer.image.extension"] = json.dumps({
        "buildClient": {"sealerVersion": "kfc 0.1.0", "buildahVersion": "kfc 0.1.0"},
        "schemaVersion": "v1alpha1", "type": "app-installer",
        "applications": [{"name": "nginx", "type": "kube", "files": ["nginx.yaml"], "version": "v1"}],
        "env": {"A": "1"}, "launch": {"app_names": ["nginx"]}})
    manifest["annotations"]["sealer.image.container.images"] = json.dumps([
        {"image": "docker.io/library/nginx:latest", "appName": "nginx",
         "platform": {"architecture": "amd64", "os": "linux"}}])
elif action == "bad-extension":
    manifest.setdefault("annotations", {})["sealer.image.extension"] = json.dumps({
        "buildClient": {"sealerVersion": "x"}, "schemaVersion": "v1", "type": "app-installer",
        "applications": [{"name": "a", "files": "a.yaml", "version": "v1"}], "extra": 1})
    manifest["annotations"]["sealer.image.container.images"] = json.dumps([{"image": "x", "platform": {"os": "linux"}}])
else:
    sys.exit("mutate: unknown action " + action)

old = {mdesc["digest"], manifest["config"]["digest"]}
manifest["config"]["digest"], manifest["config"]["size"] = put_json(config)
mdesc["digest"], mdesc["size"] = put_json(manifest)
keep = {mdesc["digest"], manifest["config"]["digest"]} | {l["digest"] for l in manifest["layers"]}
for d in old - keep:
    os.remove(path(d))
for name in os.listdir(blobs):
    if "sha256:" + name not in keep and action in ("pad-layer", "truncate-layer", "split-gzip", "zstd"):
        os.remove(os.path.join(blobs, name))
with open(os.path.join(layout, "index.json"), "w") as f: json.dump(index, f)
EOF
}

# json_get LAYOUT EXPR: a value from the single image's documents, EXPR over
# index (index.json), m (manifest), c (config).
json_get() {
	"$OCI_PYTHON" - "$1" "$2" <<'EOF'
import json, os, sys
layout, expr = sys.argv[1], sys.argv[2]
def doc(d):
    with open(os.path.join(layout, "blobs", "sha256", d.split(":", 1)[1])) as f: return json.load(f)
with open(os.path.join(layout, "index.json")) as f: index = json.load(f)
m = doc(index["manifests"][0]["digest"])
c = doc(m["config"]["digest"])
print(eval(expr))
EOF
}
short() { printf '%s\n' "$1" | sed 's/^sha256://' | cut -c1-12; }

# expect_problems NAME LAYOUT EXPECTED-FILE: oci-verify.py exits 1 and prints
# exactly EXPECTED-FILE.
expect_problems() {
	rc=0
	oci_verify "$2" >"$2.out" 2>&1 || rc=$?
	if [ "$rc" -ne 1 ]; then
		not_ok "$1: oci-verify.py exit status $rc, expected 1"
		sed 's/^/# /' "$2.out"
		return
	fi
	compare "$3" "$2.out" "$1"
}

# --- an image made with umoci -------------------------------------------------
ulog=$tmp/umoci.log
if umoci init --layout img >"$ulog" 2>&1 &&
	umoci new --image img:t >>"$ulog" 2>&1 &&
	umoci unpack --rootless --image img:t bundle >>"$ulog" 2>&1 &&
	mkdir -p bundle/rootfs/etc bundle/rootfs/usr/bin bundle/rootfs/data &&
	printf 'hello\n' >bundle/rootfs/etc/motd &&
	printf '#!/bin/sh\necho hi\n' >bundle/rootfs/usr/bin/hi && chmod 755 bundle/rootfs/usr/bin/hi &&
	ln -s ../../etc/motd bundle/rootfs/usr/bin/motd &&
	head -c 200000 /dev/zero >bundle/rootfs/data/zeros &&
	umoci repack --image img:t bundle >>"$ulog" 2>&1 &&
	umoci config --image img:t --config.label kubefile.test=yes >>"$ulog" 2>&1; then
	ok "umoci builds a layout"
else
	not_ok "umoci builds a layout"
	sed 's/^/# /' "$ulog"
	finish
	exit
fi

# umoci 0.4.7 itself writes its blobs 0600 and keeps the blobs of the image
# before each change until 'umoci gc': both are problems by our rules.
oci_verify img >raw.out 2>&1
if [ "$(grep -c ': mode 0600, expected 0644$' raw.out)" -ge 3 ] &&
	[ "$(grep -c ': stray file, no descriptor reaches it$' raw.out)" -ge 1 ] &&
	[ "$(grep -v -c -e ': mode 0600, expected 0644$' -e ': stray file, no descriptor reaches it$' raw.out)" -eq 0 ]; then
	ok "oci-verify.py names umoci's 0600 blobs and its leftover blobs, nothing else"
else
	not_ok "oci-verify.py on umoci's raw output"
	sed 's/^/# /' raw.out
fi

umoci gc --layout img >>"$ulog" 2>&1 && chmod 0644 img/blobs/sha256/*
if oci_verify img >good.out 2>&1 && [ ! -s good.out ]; then
	ok "oci-verify.py accepts the umoci image (after umoci gc, blobs 0644)"
else
	not_ok "oci-verify.py accepts the umoci image"
	sed 's/^/# /' good.out
fi

manifest=$(json_get img 'index["manifests"][0]["digest"]')
config=$(json_get img 'm["config"]["digest"]')
layer=$(json_get img 'm["layers"][0]["digest"]')
lsize=$(json_get img 'm["layers"][0]["size"]')
diffid=$(json_get img 'c["rootfs"]["diff_ids"][0]')

if [ "$(oci_digest img t)" = "$manifest" ] && [ "$(oci_digest img)" = "$manifest" ] &&
	! oci_digest img nope 2>/dev/null; then
	ok "oci_digest"
else
	not_ok "oci_digest"
fi

# --json: the summary
if oci_verify img --json --ref t >sum.json 2>sum.err &&
	"$OCI_PYTHON" - sum.json "$manifest" "$config" "$layer" "$diffid" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["ref"] == "t", s["ref"]
assert s["manifest"]["digest"] == sys.argv[2]
assert s["config"]["digest"] == sys.argv[3]
assert [l["digest"] for l in s["layers"]] == [sys.argv[4]]
assert s["layers"][0]["diff_id"] == sys.argv[5]
assert s["labels"] == {"kubefile.test": "yes"}, s["labels"]
assert s["layers"][0]["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip"
EOF
then
	ok "--json --ref t: digests, diff_id, labels"
else
	not_ok "--json --ref t"
	sed 's/^/# /' sum.json sum.err
fi
rc=0
oci_verify img --ref nope >ref.out 2>&1 || rc=$?
printf '%s\n' "index.json: no manifest has org.opencontainers.image.ref.name 'nope'" >ref.exp
if [ $rc -eq 1 ]; then compare ref.exp ref.out "--ref with an unknown tag"; else not_ok "--ref nope: exit status $rc"; fi

# the rootfs as umoci unpacks it
printf '%s\n' 'd 0755 data' 'f 0644 data/zeros 200000' 'd 0755 etc' 'f 0644 etc/motd 6' \
	'd 0755 usr' 'd 0755 usr/bin' 'f 0755 usr/bin/hi 18' 'l 0777 usr/bin/motd -> ../../etc/motd' >list.exp
if umoci_unpack img:t unpacked; then
	rootfs_listing unpacked/rootfs >list.out
	compare list.exp list.out "umoci_unpack and rootfs_listing"
else
	not_ok "umoci_unpack img:t"
fi
if skopeo_inspect img:t >insp.json && grep -q '"kubefile.test": "yes"' insp.json; then
	ok "skopeo_inspect shows the label"
else
	not_ok "skopeo_inspect"
fi

# --- through a registry and back --------------------------------------------------
if registry_start "$tmp/registry"; then
	ok "registry_start: $REGISTRY"
	if skopeo_roundtrip img:t "$tmp/back" && [ "$ROUNDTRIP_DIGEST" = "$manifest" ]; then
		ok "skopeo_roundtrip keeps the manifest digest"
	else
		not_ok "skopeo_roundtrip keeps the manifest digest"
	fi
	if oci_verify "$tmp/back" >back.out 2>&1; then
		ok "oci-verify.py accepts skopeo's copy"
	else
		not_ok "oci-verify.py accepts skopeo's copy"
		sed 's/^/# /' back.out
	fi
	pid=$REGISTRY_PID
	registry_stop
	if kill -0 "$pid" 2>/dev/null; then not_ok "registry_stop: pid $pid still runs"; else ok "registry_stop"; fi
else
	not_ok "registry_start"
fi
if [ -z "$REGISTRY" ] && ! skopeo_roundtrip img:t 2>rt.err && grep -q 'no registry' rt.err; then
	ok "skopeo_roundtrip without a registry fails clearly"
else
	not_ok "skopeo_roundtrip without a registry"
fi

# --- broken copies, each with its exact message -----------------------------------
hex() { printf '%s\n' "$1" | sed 's/^sha256://'; }

mutate img bad-size layer-size
m=$(json_get bad-size 'index["manifests"][0]["digest"]')
printf '%s\n' "manifest $(short "$m") layers[0]: size $((lsize + 1)) in the descriptor, blob $(short "$layer") has $lsize bytes" >exp
expect_problems "a wrong layer size in the manifest" bad-size exp

mutate img bad-diffid diff-id
c=$(json_get bad-diffid 'm["config"]["digest"]')
printf '%s\n' "config $(short "$c"): rootfs.diff_ids[0] is sha256:0000000000000000000000000000000000000000000000000000000000000000, layer 0 decompresses to $diffid" >exp
expect_problems "a wrong diff_id" bad-diffid exp

mutate img bad-pad pad-layer
l=$(json_get bad-pad 'm["layers"][0]["digest"]')
printf '%s\n' "layer $(short "$l"): 512 zero bytes after the end of the gzip stream" >exp
expect_problems "gzip followed by zero padding" bad-pad exp
if umoci unpack --rootless --image bad-pad:t bad-pad-unpacked >pad-umoci.log 2>&1; then
	not_ok "umoci rejects the padded layer too (it accepted it: the rule may be stricter than needed)"
else
	ok "umoci rejects the padded layer too"
fi

mutate img bad-trunc truncate-layer
l=$(json_get bad-trunc 'm["layers"][0]["digest"]')
printf '%s\n' "layer $(short "$l"): gzip stream truncated (member 1 has no end)" >exp
expect_problems "a truncated gzip layer" bad-trunc exp

rm -rf bad-stray && cp -a img bad-stray && : >bad-stray/blobs/sha256/.tmp-kfc-Ab12Cd && chmod 0644 bad-stray/blobs/sha256/.tmp-kfc-Ab12Cd
printf '%s\n' "blobs/sha256/.tmp-kfc-Ab12Cd: stray file, no descriptor reaches it" >exp
expect_problems "a stray temp file in blobs/" bad-stray exp

rm -rf bad-top && cp -a img bad-top && cp bad-top/index.json bad-top/index.json.tmp
printf '%s\n' "index.json.tmp: unexpected file in the image layout" >exp
expect_problems "a leftover index.json.tmp" bad-top exp

mutate img bad-history no-history
c=$(json_get bad-history 'm["config"]["digest"]')
printf '%s\n' "config $(short "$c"): 0 history entries without empty_layer, 1 layers" >exp
expect_problems "a config without history" bad-history exp

rm -rf bad-mode && cp -a img bad-mode && chmod 0600 "bad-mode/blobs/sha256/$(hex "$config")"
printf '%s\n' "blobs/sha256/$(hex "$config"): mode 0600, expected 0644" >exp
expect_problems "a 0600 blob" bad-mode exp

mutate img bad-field no-schemaVersion
m=$(json_get bad-field 'index["manifests"][0]["digest"]')
printf '%s\n' "manifest $(short "$m"): manifest schema: (top): 'schemaVersion' is a required property" >exp
expect_problems "a manifest without schemaVersion" bad-field exp

mutate img bad-ext bad-extension
m=$(json_get bad-ext 'index["manifests"][0]["digest"]')
w="manifest $(short "$m") annotation"
cat >exp <<EOF
$w sealer.image.extension: unexpected key 'extra'
$w sealer.image.extension: buildClient: missing key 'buildahVersion'
$w sealer.image.extension: schemaVersion is 'v1', expected "v1alpha1"
$w sealer.image.extension: applications[0]: files is not an array of strings
$w sealer.image.container.images: [0]: platform: missing key 'architecture'
EOF
expect_problems "sealer annotations of the wrong shape" bad-ext exp

# --- other valid forms ------------------------------------------------------------
for form in extension split-gzip zstd; do
	mutate img "ok-$form" "$form"
	if oci_verify "ok-$form" >"ok-$form.out" 2>&1; then
		ok "oci-verify.py accepts a valid variant: $form"
	else
		not_ok "oci-verify.py accepts a valid variant: $form"
		sed 's/^/# /' "ok-$form.out"
	fi
done
if [ "$(oci_verify ok-split-gzip --json | "$OCI_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["diff_id"])')" = "$diffid" ]; then
	ok "two gzip members decompress to the same diff_id"
else
	not_ok "two gzip members: diff_id"
fi

# a layer whose tar has an absolute path and a '..' component
mkdir -p evil && printf 'x\n' >evil/f && tar -C evil -cf evil.tar --transform='s,^f$,/abs/f,' -P f 2>/dev/null &&
	tar -C evil -rf evil.tar --transform='s,^f$,a/../../f,' -P f 2>/dev/null && gzip -n -c evil.tar >evil.tar.gz
"$OCI_PYTHON" - img bad-tar evil.tar.gz <<'EOF'
import hashlib, json, os, shutil, sys
src, dst, gz = sys.argv[1:]
shutil.rmtree(dst, ignore_errors=True); shutil.copytree(src, dst)
b = os.path.join(dst, "blobs", "sha256")
def put(data):
    h = hashlib.sha256(data).hexdigest()
    open(os.path.join(b, h), "wb").write(data); os.chmod(os.path.join(b, h), 0o644)
    return "sha256:" + h, len(data)
index = json.load(open(os.path.join(dst, "index.json")))
old_m = index["manifests"][0]["digest"]
m = json.load(open(os.path.join(b, old_m[7:])))
c = json.load(open(os.path.join(b, m["config"]["digest"][7:])))
for d in (old_m, m["config"]["digest"], m["layers"][0]["digest"]):
    os.remove(os.path.join(b, d[7:]))
data = open(gz, "rb").read()
m["layers"][0]["digest"], m["layers"][0]["size"] = put(data)
import gzip
c["rootfs"]["diff_ids"][0] = "sha256:" + hashlib.sha256(gzip.decompress(data)).hexdigest()
m["config"]["digest"], m["config"]["size"] = put(json.dumps(c).encode())
index["manifests"][0]["digest"], index["manifests"][0]["size"] = put(json.dumps(m).encode())
json.dump(index, open(os.path.join(dst, "index.json"), "w"))
EOF
l=$(json_get bad-tar 'm["layers"][0]["digest"]')
cat >exp <<EOF
layer $(short "$l"): tar entry '/abs/f': absolute path
layer $(short "$l"): tar entry 'a/../../f': '..' component
EOF
expect_problems "a tar with an absolute path and a '..' component" bad-tar exp

finish
