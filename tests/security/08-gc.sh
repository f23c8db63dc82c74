# Finding 8: -o oci:DIR into a layout that already holds an image index
# keeps the index, its child manifests and their blobs: what is still
# reachable from index.json (following indexes and subjects) stays.
HOSTILE="${OCI_PYTHON:-python3} $KF_TESTDATA/hostile-oci.py"
G=$T/gc
mkdir -p "$G/ctx"
printf '%s' '{"images":[{"tag":"multi","index":[
  {"layers":[[{"name":"a","data":"amd64\n"}]],"platform":{"architecture":"amd64","os":"linux"}},
  {"layers":[[{"name":"a","data":"arm64\n"}]],"config":{"architecture":"arm64"},"platform":{"architecture":"arm64","os":"linux"}}]}]}' |
	$HOSTILE "$G/layout"
printf 'FROM scratch\nCOPY Kubefile /k\n' >"$G/ctx/Kubefile"
expect_status 0 "8. kfc build -o oci: into a layout with an index" \
	"$KFC" build --progress=quiet -o "oci:$G/layout:mine" "$G/ctx"
if skopeo copy --quiet --all --policy "$OCI_TMP/policy.json" "oci:$G/layout:multi" "oci:$G/copy:multi" 2>"$T/err"; then
	ok "8. skopeo copies the whole index afterwards"
else
	not_ok "8. the index lost blobs"
	sed 's/^/# /' "$T/err" | head -5
fi
# a second build that replaces :mine removes only what :mine alone used
printf 'FROM scratch\nCOPY Kubefile /k2\n' >"$G/ctx/Kubefile"
expect_status 0 "8b. a rebuild replacing :mine" \
	"$KFC" build --progress=quiet -o "oci:$G/layout:mine" "$G/ctx"
n=$(ls "$G/layout/blobs/sha256" | wc -l)
[ "$n" -eq 10 ] && ok "8b. the layout holds the index's 7 blobs and :mine's 3" || not_ok "8b. the layout holds $n blobs, not 10"
if skopeo copy --quiet --all --policy "$OCI_TMP/policy.json" "oci:$G/layout:multi" "oci:$G/copy2:multi" 2>"$T/err"; then
	ok "8b. the index is still whole"
else
	not_ok "8b. the index lost blobs"
fi
