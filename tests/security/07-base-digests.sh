# Finding 7: a base image's descriptors are checked before they are used,
# and every blob is hashed as it enters the store: a digest that is not
# "sha256:" and 64 hex digits, a blob whose bytes or size are not what its
# descriptor says, are refused, and nothing of them is stored. kfc fsck
# re-hashes the store.
HOSTILE="${OCI_PYTHON:-python3} $KF_TESTDATA/hostile-oci.py"
D=$T/digests
mkdir -p "$D"
layer='[{"name":"manifests/a.yaml","data":"kind: Namespace\n"}]'

# dg_build NAME SPEC WANT-STATUS: a layout $D/NAME/layout, and a build FROM it
dg_build() {
	mkdir -p "$D/$1/ctx"
	printf '%s' "$2" | $HOSTILE "$D/$1/layout" || not_ok "hostile-oci.py $1"
	printf 'FROM oci:%s:v1\nLABEL a=b\n' "$D/$1/layout" >"$D/$1/ctx/Kubefile"
	expect_status "$3" "$1: kfc build" "$KFC" build --progress=quiet "$D/$1/ctx"
}
# store_lacks NAME DIGEST: the store has no blob of that digest, and no
# stray file beside it
store_lacks() {
	if [ ! -e "$KFC_STORE/blobs/sha256/${2#sha256:}" ] && [ ! -e "$T/pwned" ] && [ ! -e "$D/pwned" ]; then
		ok "$1: nothing entered the store"
	else
		not_ok "$1: the store holds the bad blob"
	fi
}

# a layer digest that climbs out of blobs/: FROM oci: would copy the file
# beside the layout to beside the store
mkdir -p "$D/climb"
printf 'planted\n' >"$D/climb/pwned"
dg_build climb "{\"tag\":\"v1\",\"layers\":[$layer],\"lie\":[{\"layer\":0,\"digest\":\"sha256:../../../pwned\"}]}" 1
expect_err "Kubefile:1:1: error: base image oci:$D/climb/layout:v1: layer 1: digest 'sha256:../../../pwned' is not 'sha256:' and 64 lowercase hex digits" \
	"7a. a layer digest with ../ is refused at FROM"
[ ! -e "$T/pwned" ] && ok "7a. nothing was written outside the store" || not_ok "7a. $T/pwned was written"

# a blob whose bytes are not what its digest says
dg_build lie "{\"tag\":\"v1\",\"layers\":[$layer],\"lie\":[{\"layer\":0,\"content\":\"not the layer\",\"size\":13}]}" 1
bad=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["manifests"][0]["digest"])' "$D/lie/layout/index.json")
bad=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][0]["digest"])' "$D/lie/layout/blobs/sha256/${bad#sha256:}")
expect_err "Kubefile:1:1: error: base image oci:$D/lie/layout:v1: blob $bad: its content hashes to sha256:" \
	"7b. a layer whose content does not match its digest is refused"
store_lacks "7b. wrong content" "$bad"

# a descriptor that lies about the size
dg_build size "{\"tag\":\"v1\",\"layers\":[$layer],\"lie\":[{\"layer\":0,\"size\":5}]}" 1
expect_err "is 5 bytes by its descriptor, but the file has" "7c. a layer whose size is not its descriptor's is refused"

# a config digest with ../
dg_build config "{\"tag\":\"v1\",\"layers\":[$layer],\"lie\":[{\"config_digest\":\"sha256:../../../../pwned\"}]}" 1
expect_err "config: digest 'sha256:../../../../pwned' is not 'sha256:' and 64 lowercase hex digits" \
	"7d. a config digest with ../ is refused"

# the good layout builds, and a later build does not trust a bad copy: kfc
# fsck finds a blob changed in the store, --repair removes it
dg_build good "{\"tag\":\"v1\",\"layers\":[$layer]}" 0
expect_status 0 "7e. kfc fsck of a sound store" "$KFC" fsck
grep -q "blobs verified (.*), 0 images whole; 0 corrupt, 0 missing$" "$T/out" && ok "7e. kfc fsck says what it checked" ||
	not_ok "7e. kfc fsck's summary: $(cat "$T/out")"
good=$(ls "$KFC_STORE/blobs/sha256" | head -1)
chmod u+w "$KFC_STORE/blobs/sha256/$good"
printf 'tampered' >>"$KFC_STORE/blobs/sha256/$good"
expect_status 1 "7f. kfc fsck of a tampered store" "$KFC" fsck
expect_err "sha256:$good: its content hashes to sha256:" "7f. kfc fsck names the tampered blob"
expect_status 1 "7g. kfc fsck --repair" "$KFC" fsck --repair
grep -q "^removed 1 corrupt blob" "$T/out" && ok "7g. kfc fsck --repair removes it" || not_ok "7g. no removal: $(cat "$T/out")"
[ ! -e "$KFC_STORE/blobs/sha256/$good" ] && ok "7g. the tampered blob is gone" || not_ok "7g. the tampered blob is still there"
dg_build good "{\"tag\":\"v1\",\"layers\":[$layer]}" 0
expect_status 0 "7h. after a repair and a rebuild, kfc fsck" "$KFC" fsck
