# npm-cache.sh - sourced by the tests that need npm packages: installs
# exact versions into a cache outside the repository (KF_NPM_DIR, by
# default ~/.cache/kubefile-test/npm) once, and sets npm_dir.
#   npm_need PKG@VERSION...   exits 77 (skip) when node or npm is missing
npm_dir=${KF_NPM_DIR:-${HOME:-/tmp}/.cache/kubefile-test/npm}
npm_need() {
	command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || {
		echo "node or npm not installed: skipped"
		exit 77
	}
	mkdir -p "$npm_dir" || exit 99
	missing=
	for spec in "$@"; do
		name=${spec%@*}
		version=${spec##*@}
		have=$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' \
			"$npm_dir/node_modules/$name/package.json" 2>/dev/null | head -n 1)
		[ "$have" = "$version" ] || missing="$missing $spec"
	done
	[ -z "$missing" ] && return 0
	# shellcheck disable=SC2086
	npm install --prefix "$npm_dir" --save-exact --no-audit --no-fund --loglevel=error $missing \
		>"$npm_dir/install.log" 2>&1 || {
		cat "$npm_dir/install.log" >&2
		echo "npm install of$missing failed" >&2
		exit 99
	}
}
