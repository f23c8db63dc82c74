#!/bin/sh
# remote-cache.sh - the build cache shared through a registry or a folder
# (kfc build --cache-to, --cache-from; docs/build.md, "Sharing the cache").
# Two stores, A and B, stand for two CI machines with one Debian
# docker-registry on 127.0.0.1 between them: A builds and exports its cache;
# B, empty, builds a copy of the context (another checkout: other inodes,
# the same files and times) from it and executes no step. The RUN runs
# unsandboxed and appends to a file of the test's folder, so a step that
# runs is seen.
. "$(dirname "$0")/lib.sh"
. "$KF_SRCDIR/tests/oci-lib.sh"
. "$KF_SRCDIR/tests/registry-lib.sh"

for t in docker-registry curl; do
	command -v "$t" >/dev/null 2>&1 || { echo "$t not found: skipped"; oci_cleanup; exit 77; }
done

T=$(mktemp -d)
trap 'oci_cleanup; rm -rf "$T"' EXIT
SDE=1700000000
# kfc build as machine STORE does it
kfc_on() { # STORE ARGS...
	s=$1
	shift
	KFC_STORE="$T/$s" SOURCE_DATE_EPOCH=$SDE "$KFC" build --progress=plain --isolation=none --tls-verify=false "$@"
}
ran() { wc -l <"$T/ran.log" | tr -d ' '; }

registry_start_http "$T/reg" >/dev/null || { not_ok "the registry"; exit 1; }
REG=$REG_ADDR
REG_STORAGE=$REG_DIR

# ---- a container image for the image's cache step ------------------------------------------------
mkdir -p "$T/mk/etc"
echo tiny >"$T/mk/etc/tiny"
printf 'FROM scratch\nCOPY etc /etc\n' >"$T/mk/Kubefile"
KFC_STORE="$T/mkstore" "$KFC" build --progress=quiet --build-mode=lite -t "$REG/lib/tiny:v1" "$T/mk" >/dev/null 2>&1 &&
	KFC_STORE="$T/mkstore" "$KFC" push -q --tls-verify=false "$REG/lib/tiny:v1" >/dev/null 2>&1 ||
	not_ok "pushing lib/tiny:v1"

# ---- the context -----------------------------------------------------------------------------
C=$T/ctx
mkdir -p "$C/sub"
echo hello >"$C/a.txt"
head -c 200000 /dev/urandom >"$C/sub/b.bin"
echo other >"$C/sub/c.txt"
cat >"$C/Kubefile" <<EOF
FROM scratch
ARG V=1
COPY a.txt /a.txt
RUN echo "ran \$V" >>$T/ran.log; echo "made \$V" >made.txt
COPY sub /sub
IMAGES $REG/lib/tiny:v1
ENV X=1
EOF
: >"$T/ran.log"
touch -d @1600000000 "$C/a.txt" "$C/sub/b.bin" "$C/sub/c.txt" "$C/sub" "$C/Kubefile" "$C"

# ---- A: builds and exports -------------------------------------------------------------------------
if kfc_on A -t app:v1 --cache-to="registry:$REG/app:cache,mode=max" "$C" >"$T/a.out" 2>"$T/a.err"; then
	ok "A builds and exports its cache"
else
	not_ok "A's build"
	sed 's/^/# /' "$T/a.err"
fi
DA=$(cat "$T/a.out")
case $DA in sha256:*) ;; *) DA="no digest from A" ;; esac
[ "$(ran)" = 1 ] && ok "A ran the RUN once" || not_ok "A ran the RUN $(ran) times"
man=$(curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/app/manifests/cache")
printf '%s' "$man" | "$OCI_PYTHON" -c '
import json, sys
m = json.load(sys.stdin)
assert m["artifactType"] == "application/vnd.kubefile.cache.v1+json", m
assert m["config"]["mediaType"] == "application/vnd.kubefile.cache.v1+json", m
assert len(m["layers"]) == 5, m["layers"]
' && ok "the cache is a manifest of its own artifactType, with the five step layers" ||
	{ not_ok "the cache manifest"; echo "# $man"; }

# ---- B: an empty store, another checkout --------------------------------------------------------
cp -a "$C" "$T/ctx2"
C2=$T/ctx2
gets_before=$(grep -c 'http.request.method=GET.*"/v2/lib/tiny/blobs/' "$REG_LOG")
if kfc_on B -t app:v1 --cache-from="registry:$REG/app:cache" "$C2" >"$T/b.out" 2>"$T/b.err"; then
	ok "B builds from the cache"
else
	not_ok "B's build"
	sed 's/^/# /' "$T/b.err"
fi
[ "$(cat "$T/b.out")" = "$DA" ] && ok "B's image has A's digest" || not_ok "B's digest $(cat "$T/b.out"), A's $DA"
[ "$(ran)" = 1 ] && ok "B ran no RUN" || not_ok "B ran the RUN"
if grep -q '=>' "$T/b.err" && ! grep '=>' "$T/b.err" | grep -qv CACHED; then
	ok "every step of B is CACHED"
else
	not_ok "B executed steps"
	sed 's/^/# /' "$T/b.err"
fi
grep -q 'kfc build: cache container images (1)' "$T/b.err" &&
	[ "$(grep -c 'http.request.method=GET.*"/v2/lib/tiny/blobs/' "$REG_LOG")" = "$gets_before" ] &&
	ok "the container image cache step came from the cache: no blob of lib/tiny fetched" ||
	not_ok "the container image cache step fetched its images"
if grep -q warning "$T/b.err" || ! grep -q '^built sha256:' "$T/b.err"; then not_ok "B warned"; sed 's/^/# /' "$T/b.err"; else ok "B has no warning"; fi

# B again: its own store has it all now, the registry is not asked
kfc_on B -t app:v1 --cache-from="registry:$REG/app:cache" "$C2" >"$T/b2.out" 2>"$T/b2.err"
[ "$(cat "$T/b2.out")" = "$DA" ] && ! grep '=>' "$T/b2.err" | grep -qv CACHED && ok "B's rebuild is CACHED from its own store" ||
	{ not_ok "B's rebuild"; sed 's/^/# /' "$T/b2.err"; }

cp -a "$C" "$T/ctx3" # a third checkout, of the files A built

# ---- what a stale cache would get wrong ---------------------------------------------------------
# a file of the last COPY changes: only that step (and the next) rebuild
printf 'changed' >"$T/ctx2/sub/c.txt"
touch -d @1600000000 "$T/ctx2/sub/c.txt"
kfc_on B1 --cache-from="registry:$REG/app:cache" "$C2" >"$T/c.out" 2>"$T/c.err"
if [ "$(ran)" = 1 ] && grep -q '^\[2/6\] => CACHED' "$T/c.err" && grep -q '^\[3/6\] => CACHED' "$T/c.err" &&
	grep '^\[4/6\] =>' "$T/c.err" | grep -qv CACHED && [ "$(cat "$T/c.out")" != "$DA" ]; then
	ok "a changed file rebuilds its COPY only: the RUN before it is CACHED, the image differs"
else
	not_ok "a changed file"
	sed 's/^/# /' "$T/c.err"
fi
# the COPY the RUN follows changes: the RUN runs
printf 'changed' >"$T/ctx2/a.txt"
touch -d @1600000000 "$T/ctx2/a.txt"
kfc_on B2 --cache-from="registry:$REG/app:cache" "$C2" >/dev/null 2>"$T/d.err"
[ "$(ran)" = 2 ] && grep '^\[2/6\] =>' "$T/d.err" | grep -qv CACHED && ok "a changed file before the RUN: the RUN runs" ||
	{ not_ok "a changed file before the RUN (ran $(ran))"; sed 's/^/# /' "$T/d.err"; }
# a build-arg: the RUN's environment changes
kfc_on B3 --build-arg V=2 --cache-from="registry:$REG/app:cache" "$C" >"$T/e.out" 2>"$T/e.err"
[ "$(ran)" = 3 ] && tail -1 "$T/ran.log" | grep -qx 'ran 2' && grep -q '^\[2/6\] => CACHED' "$T/e.err" &&
	grep '^\[3/6\] =>' "$T/e.err" | grep -qv CACHED && [ "$(cat "$T/e.out")" != "$DA" ] &&
	ok "another build-arg: the COPY is CACHED, the RUN runs" ||
	{ not_ok "another build-arg (ran $(ran))"; sed 's/^/# /' "$T/e.err"; }
# another platform: nothing of A's applies
other=linux/arm64
[ "$(uname -m)" = aarch64 ] && other=linux/amd64
kfc_on B4 --platform "$other" --cache-from="registry:$REG/app:cache" "$C" >/dev/null 2>"$T/f.err"
[ "$(ran)" = 4 ] && ! grep -q CACHED "$T/f.err" && ok "another platform: no step is CACHED" ||
	{ not_ok "another platform (ran $(ran))"; sed 's/^/# /' "$T/f.err"; }

# ---- a cache that cannot be used: a warning, and a correct build ------------------------------------
# a foreign manifest: an image, not a cache
KFC_STORE="$T/mkstore" "$KFC" push -q --tls-verify=false "$REG/lib/tiny:v1" "$REG/app:foreign" >/dev/null 2>&1
kfc_on B5 --build-mode=lite --cache-from="registry:$REG/app:foreign" "$C" >/dev/null 2>"$T/g.err"
grep -qx "kfc build: warning: --cache-from=registry:$REG/app:foreign: not a kfc build cache (artifactType none); ignored \[KF621\]" "$T/g.err" &&
	[ "$(ran)" = 5 ] && ok "a foreign manifest: KF621, the steps run" ||
	{ not_ok "a foreign manifest"; sed 's/^/# /' "$T/g.err"; }
# a corrupt cache: its config is not a cache's
put_blob() { # REPO FILE: the blob's digest
	d=sha256:$(sha256sum "$2" | cut -d' ' -f1)
	loc=$(curl -s -D - -o /dev/null -X POST "http://$REG/v2/$1/blobs/uploads/" | tr -d '\r' | sed -n 's/^Location: //Ip')
	case $loc in http*) ;; *) loc=http://$REG$loc ;; esac
	case $loc in *\?*) sep='&' ;; *) sep='?' ;; esac
	curl -s -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$2" "$loc${sep}digest=$d"
	echo "$d"
}
printf '{"version":1,"records":{"nope":{"layer":null}}}' >"$T/bad.json"
bd=$(put_blob app "$T/bad.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.kubefile.cache.v1+json","config":{"mediaType":"application/vnd.kubefile.cache.v1+json","digest":"%s","size":%s},"layers":[]}' \
	"$bd" "$(wc -c <"$T/bad.json")" >"$T/badman.json"
curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
	--data-binary "@$T/badman.json" "http://$REG/v2/app/manifests/bad" | grep -q 201 || not_ok "putting the corrupt cache"
kfc_on B6 --cache-from="registry:$REG/app:bad" -t app:v1 "$T/ctx3" >"$T/h.out" 2>"$T/h.err"
grep -qx "kfc build: warning: --cache-from=registry:$REG/app:bad: the cache is corrupt: the cache config has a key that is no digest; its steps run \[KF621\]" "$T/h.err" &&
	[ "$(ran)" = 6 ] && [ "$(cat "$T/h.out")" = "$DA" ] && ok "a corrupt cache manifest: KF621, the steps run, the same digest" ||
	{ not_ok "a corrupt cache"; sed 's/^/# /' "$T/h.err"; }
# a missing blob: the layer of COPY sub is gone from the registry
big=$(printf '%s' "$man" | "$OCI_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["layers"][2]["digest"])')
hex=${big#sha256:}
rm -f "$REG_STORAGE/storage/docker/registry/v2/blobs/sha256/$(echo "$hex" | cut -c1-2)/$hex/data" ||
	not_ok "removing the blob"
kfc_on B7 -t app:v1 --cache-from="registry:$REG/app:cache" "$T/ctx3" >"$T/i.out" 2>"$T/i.err"
if grep -q "^kfc build: warning: COPY sub /sub: the cache's layer cannot be had: $REG/app: blob $big: .*; the step runs \[KF621\]$" "$T/i.err" &&
	[ "$(cat "$T/i.out")" = "$DA" ] && [ "$(ran)" = 6 ] && grep '^\[4/6\] =>' "$T/i.err" | grep -qv CACHED; then
	ok "a missing blob: KF621, that step runs, the same digest"
else
	not_ok "a missing blob"
	sed 's/^/# /' "$T/i.err"
fi

# ---- oci:DIR --------------------------------------------------------------------------------------
kfc_on A -t app:v1 --cache-to="oci:$T/ocache,mode=max" "$C" >"$T/j.out" 2>"$T/j.err" || not_ok "the oci export"
[ "$(cat "$T/j.out")" = "$DA" ] && [ -f "$T/ocache/index.json" ] && ! grep '=>' "$T/j.err" | grep -qv CACHED &&
	ok "A's rebuild exports its cache to oci:DIR, all CACHED" ||
	{ not_ok "A's rebuild"; sed 's/^/# /' "$T/j.err"; }
kfc_on O1 -t app:v1 --cache-from="oci:$T/ocache" "$T/ctx3" >"$T/k.out" 2>"$T/k.err"
[ "$(cat "$T/k.out")" = "$DA" ] && [ "$(ran)" = 6 ] && ! grep '=>' "$T/k.err" | grep -qv CACHED && ! grep -q warning "$T/k.err" &&
	ok "oci:DIR: B builds A's digest, every step CACHED, no RUN" || { not_ok "oci:DIR import"; sed 's/^/# /' "$T/k.err"; }
# the cache's manifest blob corrupted in the folder
md=$("$OCI_PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"])' "$T/ocache/index.json")
cp -a "$T/ocache" "$T/ocache-bad"
chmod u+w "$T/ocache-bad/blobs/sha256/${md#sha256:}"
printf '{"schemaVersion":' >"$T/ocache-bad/blobs/sha256/${md#sha256:}"
kfc_on O2 -t app:v1 --cache-from="oci:$T/ocache-bad" "$T/ctx3" >"$T/l.out" 2>"$T/l.err"
grep -q "^kfc build: warning: --cache-from=oci:$T/ocache-bad: the cache cannot be read: .*; its steps run \[KF621\]$" "$T/l.err" &&
	[ "$(cat "$T/l.out")" = "$DA" ] && [ "$(ran)" = 7 ] && ok "oci:DIR with a corrupt manifest: KF621, the steps run, the same digest" ||
	{ not_ok "oci:DIR corrupt"; sed 's/^/# /' "$T/l.err"; }
# a layer missing from the folder
cp -a "$T/ocache" "$T/ocache-hole"
rm -f "$T/ocache-hole/blobs/sha256/$hex"
kfc_on O3 -t app:v1 --cache-from="oci:$T/ocache-hole" "$T/ctx3" >"$T/m.out" 2>"$T/m.err"
grep -q "^kfc build: warning: COPY sub /sub: the cache's layer cannot be had: .*; the step runs \[KF621\]$" "$T/m.err" &&
	[ "$(cat "$T/m.out")" = "$DA" ] && [ "$(ran)" = 7 ] && ok "oci:DIR with a missing blob: KF621, that step runs, the same digest" ||
	{ not_ok "oci:DIR missing blob"; sed 's/^/# /' "$T/m.err"; }

# several platforms: one cache holds both
kfc_on M1 --build-mode=lite --platform linux/amd64,linux/arm64 --cache-to="oci:$T/omulti,mode=max" "$T/ctx3" >"$T/mp1.out" 2>"$T/mp1.err" ||
	{ not_ok "the two-platform export"; sed 's/^/# /' "$T/mp1.err"; }
kfc_on M2 --build-mode=lite --platform linux/amd64,linux/arm64 --cache-from="oci:$T/omulti" "$T/ctx3" >"$T/mp2.out" 2>"$T/mp2.err"
[ "$(cat "$T/mp1.out")" = "$(cat "$T/mp2.out")" ] && [ "$(grep -c '=> CACHED' "$T/mp2.err")" = 8 ] &&
	! grep '=>' "$T/mp2.err" | grep -qv CACHED && ok "two platforms: one cache, every step of both CACHED, the same index" ||
	{ not_ok "two platforms"; sed 's/^/# /' "$T/mp2.err"; }

# a cache folder inside the context is left out of it, as an output is
mkdir -p "$T/inctx"
echo x >"$T/inctx/f"
printf 'FROM scratch\nCOPY . /\n' >"$T/inctx/Kubefile"
(cd "$T/inctx" && kfc_on IN --cache-to=oci:kcache --cache-from=oci:kcache . >"$T/in1.out" 2>"$T/in1.err")
(cd "$T/inctx" && kfc_on IN --cache-to=oci:kcache --cache-from=oci:kcache . >"$T/in2.out" 2>"$T/in2.err")
[ -f "$T/inctx/kcache/index.json" ] && [ "$(cat "$T/in1.out")" = "$(cat "$T/in2.out")" ] &&
	grep -q '^\[1/1\] => CACHED' "$T/in2.err" && ok "a cache folder inside the context is not part of it" ||
	{ not_ok "a cache folder inside the context"; sed 's/^/# /' "$T/in1.err" "$T/in2.err"; }

# ---- mode=min: the image's layers only --------------------------------------------------------------
kfc_on A --cache-to="oci:$T/omin" "$C" >/dev/null 2>&1 || not_ok "mode=min export"
"$OCI_PYTHON" - "$T/omin" <<'EOF' && ok "mode=min (the default) exports the records of the image's layers only" || not_ok "mode=min"
import json, sys
d = sys.argv[1]
ix = json.load(open(d + "/index.json"))
m = json.load(open(d + "/blobs/sha256/" + ix["manifests"][0]["digest"][7:]))
c = json.load(open(d + "/blobs/sha256/" + m["config"]["digest"][7:]))
assert c["version"] == 1
assert all(r["layer"] is not None for r in c["records"].values()), c
assert len(c["records"]) == 5 and len(m["layers"]) == 5, c
EOF

# ---- mounting: the image pushed first, a cache in another repository of that registry ----------------
KFC_STORE="$T/A" "$KFC" tag app:v1 "$REG/app:v1" >/dev/null 2>&1 ||
	kfc_on A -t "$REG/app:v1" "$C" >/dev/null 2>&1
KFC_STORE="$T/A" "$KFC" push -q --tls-verify=false "$REG/app:v1" >/dev/null 2>&1 || not_ok "pushing app:v1"
kfc_on A -t "$REG/app:v1" --cache-to="registry:$REG/cache/app:c1,mode=max" "$C" >/dev/null 2>"$T/n.err" ||
	{ not_ok "the export to cache/app"; sed 's/^/# /' "$T/n.err"; }
mounts=$(grep -c 'http.request.method=POST.*"/v2/cache/app/blobs/uploads/?mount=sha256:[0-9a-f]*&from=app".*http.response.status=201' "$REG_LOG")
[ "$mounts" -ge 4 ] && ok "the cache's layers are mounted from the image's repository ($mounts)" ||
	{ not_ok "mounts: $mounts"; grep 'cache/app/blobs/uploads' "$REG_LOG" | head -5 | sed 's/^/# /'; }

# ---- sealos's way: COPY . . takes the context's files and the images its manifests name ---------------
S=$T/sealos
mkdir -p "$S/manifests"
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: x\n    image: %s/lib/tiny:v1\n' "$REG" >"$S/manifests/pod.yaml"
printf 'FROM scratch\nCOPY . .\n' >"$S/Kubefile"
kfc_on SA -t sealos:v1 --cache-to="registry:$REG/sealos:cache" "$S" >"$T/s1.out" 2>"$T/s1.err" ||
	{ not_ok "sealos's way on A"; sed 's/^/# /' "$T/s1.err"; }
KFC_STORE="$T/SA" "$KFC" inspect sealos:v1 2>&1 | grep -q '^  lib/tiny:v1  sha256:' ||
	{ not_ok "A's COPY . . did not cache lib/tiny"; KFC_STORE="$T/SA" "$KFC" inspect sealos:v1 2>&1 | sed 's/^/# /'; }
cp -a "$S" "$T/sealos2"
gets_before=$(grep -c 'http.request.method=GET.*"/v2/lib/tiny/blobs/' "$REG_LOG")
kfc_on SB --cache-from="registry:$REG/sealos:cache" "$T/sealos2" >"$T/s2.out" 2>"$T/s2.err"
[ "$(cat "$T/s2.out")" = "$(cat "$T/s1.out")" ] && grep -q '^\[1/1\] => CACHED' "$T/s2.err" &&
	[ "$(grep -c 'http.request.method=GET.*"/v2/lib/tiny/blobs/' "$REG_LOG")" = "$gets_before" ] &&
	ok "COPY . . with the context's images: CACHED on B, no image fetched, the same digest" ||
	{ not_ok "sealos's way on B"; sed 's/^/# /' "$T/s2.err"; }
printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: y\n' >"$T/sealos2/manifests/ns.yaml"
kfc_on SC --cache-from="registry:$REG/sealos:cache" "$T/sealos2" >/dev/null 2>"$T/s3.err"
grep '^\[1/1\] =>' "$T/s3.err" | grep -qv CACHED && ok "COPY . . with a file added: it runs" ||
	{ not_ok "sealos's way, a file added"; sed 's/^/# /' "$T/s3.err"; }

# ---- kfc cache ls|prune: the local step cache ------------------------------------------------------
export KFC_STORE="$T/B"
n=$(ls "$T/B/cache" | wc -l)
"$KFC" cache ls >"$T/ls.out" 2>&1
[ "$(head -1 "$T/ls.out")" = "KEY            KIND      LAYER                  SIZE  LAST USED" ] &&
	[ "$(grep -c ' ago$' "$T/ls.out")" = "$n" ] && tail -1 "$T/ls.out" | grep -q "^$n records; their layers: [0-9]* bytes$" &&
	ok "kfc cache ls lists the $n records" || { not_ok "kfc cache ls"; sed 's/^/# /' "$T/ls.out"; }
"$KFC" cache ls --format=json | "$OCI_PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
kinds = sorted(set(r["kind"] for r in d["records"]))
assert kinds == ["facts", "layer", "link"], kinds
assert d["layerBytes"] == sum({r["layer"]: r["size"] for r in d["records"] if "layer" in r}.values())
' && ok "kfc cache ls --format=json" || not_ok "kfc cache ls --format=json"
old=$(ls "$T/B/cache" | head -1)
touch -d '2 days ago' "$T/B/cache/$old"
"$KFC" cache prune --filter until=24h >"$T/p.out" 2>&1
[ ! -e "$T/B/cache/$old" ] && [ "$(ls "$T/B/cache" | wc -l)" = $((n - 1)) ] &&
	grep -q '^removed 1 record and [0-9]* blobs\{0,1\}; the records kept name [0-9]* bytes of layers ([0-9]* before)$' "$T/p.out" &&
	ok "prune --filter until=24h removes the record not used for two days" || { not_ok "prune --filter"; sed 's/^/# /' "$T/p.out"; }
# the records of the large layers are the least recently used
for k in $("$KFC" cache ls --format=json | "$OCI_PYTHON" -c '
import json, sys
for r in json.load(sys.stdin)["records"]:
    if r.get("size", 0) > 1024:
        print(r["key"][7:])'); do
	touch -d '1 hour ago' "$T/B/cache/$k.json"
done
"$KFC" cache prune --keep-storage 1k >"$T/p.out" 2>&1
"$KFC" cache ls --format=json | "$OCI_PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
assert d["layerBytes"] <= 1024, d["layerBytes"]
assert any(r["kind"] == "layer" for r in d["records"])
' && ok "prune --keep-storage 1k keeps the small layers' records only" || { not_ok "prune --keep-storage"; sed 's/^/# /' "$T/p.out"; }
"$KFC" cache prune -f >"$T/p.out" 2>&1
[ -z "$(ls "$T/B/cache")" ] && "$KFC" fsck >/dev/null 2>&1 && "$KFC" inspect app:v1 >/dev/null 2>&1 &&
	ok "prune removes every record; the tagged image stays whole" || { not_ok "prune"; sed 's/^/# /' "$T/p.out"; }
kfc_on B -t app:v1 "$T/ctx3" >"$T/p.out" 2>"$T/p.err"
[ "$(cat "$T/p.out")" = "$DA" ] && ! grep -q CACHED "$T/p.err" && [ -n "$(ls "$T/B/cache")" ] &&
	ok "after prune the steps run again, to the same image" || { not_ok "rebuild after prune"; sed 's/^/# /' "$T/p.err"; }
"$KFC" cache prune --filter until=soon >/dev/null 2>"$T/p.err"
[ $? = 2 ] && grep -qx 'kfc cache prune: --filter until=soon: give until=DURATION, such as until=24h' "$T/p.err" &&
	ok "a bad duration is a usage error" || { not_ok "a bad duration"; sed 's/^/# /' "$T/p.err"; }
unset KFC_STORE

# ---- usage ----------------------------------------------------------------------------------------------
"$KFC" build --cache-to=foo "$C" >/dev/null 2>"$T/u.err"
[ $? = 2 ] && grep -qx 'kfc build: --cache-to=foo: give registry:REF or oci:DIR' "$T/u.err" && ok "--cache-to=foo is a usage error" ||
	{ not_ok "--cache-to=foo"; sed 's/^/# /' "$T/u.err"; }
"$KFC" build --cache-to=oci:x,mode=all "$C" >/dev/null 2>"$T/u.err"
[ $? = 2 ] && grep -qx "kfc build: --cache-to=oci:x,mode=all: unknown option 'mode=all' (mode=min or mode=max)" "$T/u.err" &&
	ok "an unknown mode is a usage error" || { not_ok "mode=all"; sed 's/^/# /' "$T/u.err"; }

finish
