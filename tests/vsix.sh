#!/bin/sh
# The VS Code extension packages: `vsce package` (npm's @vscode/vsce)
# makes a .vsix of editors/vscode with its client library, its grammar and
# its language configuration.
. "$(dirname "$0")/lib.sh"
. "$KF_TESTDATA/npm-cache.sh"
npm_need @vscode/vsce@2.24.0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -R "$KF_SRCDIR/editors/vscode" "$tmp/ext"
chmod -R u+w "$tmp/ext"
if (cd "$tmp/ext" && npm install --omit=dev --no-audit --no-fund --prefer-offline --loglevel=error) >"$tmp/npm.log" 2>&1; then
	ok "vsix: npm install of the client library"
else
	not_ok "vsix: npm install of the client library"
	sed 's/^/# /' "$tmp/npm.log" | head -20
fi
if (cd "$tmp/ext" && "$npm_dir/node_modules/.bin/vsce" package --out "$tmp/kubefile.vsix") >"$tmp/vsce.log" 2>&1; then
	ok "vsix: vsce package"
else
	not_ok "vsix: vsce package"
	sed 's/^/# /' "$tmp/vsce.log" | head -20
fi
python3 - "$tmp/kubefile.vsix" >"$tmp/list" 2>&1 <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
for n in ["extension/package.json", "extension/extension.js", "extension/language-configuration.json",
          "extension/syntaxes/kubefile.tmLanguage.json",
          "extension/node_modules/vscode-languageclient/package.json"]:
    print(n, n in names)
PY
printf '%s True\n' extension/package.json extension/extension.js extension/language-configuration.json \
	extension/syntaxes/kubefile.tmLanguage.json extension/node_modules/vscode-languageclient/package.json >"$tmp/want"
compare "$tmp/want" "$tmp/list" "vsix: the package holds the client, grammar, configuration and library"
finish
