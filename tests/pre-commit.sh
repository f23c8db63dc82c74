#!/bin/sh
# The hooks in .pre-commit-hooks.yaml, run by Debian's pre-commit with
# `pre-commit try-repo` in a scratch git repository: kflint and kfc-fmt with
# the built tools on the PATH, kflint-source and kfc-fmt-source without them.
. "$(dirname "$0")/lib.sh"

command -v pre-commit >/dev/null 2>&1 || { echo "pre-commit not installed: skipped"; exit 77; }
command -v git >/dev/null 2>&1 || { echo "git not installed: skipped"; exit 77; }
# the hooks are read from the checkout's root: a release tarball unpacked
# inside some other repository (as make distcheck does) is not one
top=$(git -C "$KF_SRCDIR" rev-parse --show-toplevel 2>/dev/null || true)
[ -n "$top" ] && [ "$(cd "$top" && pwd -P)" = "$(cd "$KF_SRCDIR" && pwd -P)" ] ||
	{ echo "not the root of a git checkout: skipped"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PRE_COMMIT_HOME="$tmp/cache" PATH="$(dirname "$KFC"):$PATH" GIT_CONFIG_NOSYSTEM=1 HOME="$tmp"
git config --global user.email test@example.com
git config --global user.name test
git config --global init.defaultBranch main
git config --global --add safe.directory '*'
mkdir "$tmp/work" && cd "$tmp/work" && git init -q .
mkdir app
printf 'from scratch\nAPP web web.yaml\nLAUNCH web\n' >app/Kubefile
printf 'not a kubefile\n' >README
git add -A

rc=0
pre-commit try-repo "$KF_SRCDIR" kflint --all-files >"$tmp/out" 2>&1 || rc=$?
if [ $rc -ne 0 ] && grep -q "app/Kubefile:2:9: error: source 'web.yaml' has no scheme" "$tmp/out"; then
	ok "kflint hook fails on a bad Kubefile, naming the problem"
else
	not_ok "kflint hook (exit $rc)"; sed 's/^/# /' "$tmp/out" | tail -20
fi
rc=0
pre-commit try-repo "$KF_SRCDIR" kfc-fmt --all-files >"$tmp/out" 2>&1 || rc=$?
if [ $rc -ne 0 ] && head -1 app/Kubefile | grep -q '^FROM scratch$'; then
	ok "kfc-fmt hook rewrites an unformatted Kubefile and fails"
else
	not_ok "kfc-fmt hook (exit $rc)"; sed 's/^/# /' "$tmp/out" | tail -20
fi

# the -source hooks with no kflint or kfc on the PATH: the first one builds
# them from the hook's checkout into the cache, the second reuses the build
printf 'from scratch\nAPP web web.yaml\nLAUNCH web\n' >app/Kubefile
git add -A
syspath=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vx "$(dirname "$KFC")" | paste -sd: -)
rc=0
PATH=$syspath KUBEFILE_HOOK_CACHE="$tmp/hooks" pre-commit try-repo "$KF_SRCDIR" kflint-source --all-files --verbose \
	>"$tmp/out" 2>&1 || rc=$?
if [ $rc -ne 0 ] && grep -q "app/Kubefile:2:9: error: source 'web.yaml' has no scheme" "$tmp/out" &&
	grep -q '^kubefile: building kflint and kfc from ' "$tmp/out" && [ -x "$(ls -d "$tmp"/hooks/*/ | head -1)kflint" ]; then
	ok "kflint-source hook builds kflint from its checkout, then fails on a bad Kubefile"
else
	not_ok "kflint-source hook (exit $rc)"; sed 's/^/# /' "$tmp/out" | tail -30
fi
rc=0
PATH=$syspath KUBEFILE_HOOK_CACHE="$tmp/hooks" pre-commit try-repo "$KF_SRCDIR" kfc-fmt-source --all-files --verbose \
	>"$tmp/out" 2>&1 || rc=$?
if [ $rc -ne 0 ] && head -1 app/Kubefile | grep -q '^FROM scratch$' && ! grep -q '^kubefile: building' "$tmp/out"; then
	ok "kfc-fmt-source hook reuses the build and rewrites an unformatted Kubefile"
else
	not_ok "kfc-fmt-source hook (exit $rc)"; sed 's/^/# /' "$tmp/out" | tail -30
fi

printf 'FROM scratch\nAPP web local://web.yaml\nLAUNCH web\n' >app/Kubefile
printf 'apiVersion: v1\nkind: ConfigMap\n' >app/web.yaml
git add -A
rc=0
KUBEFILE_HOOK_CACHE="$tmp/hooks" pre-commit try-repo "$KF_SRCDIR" --all-files >"$tmp/out" 2>&1 || rc=$?
if [ $rc -eq 0 ]; then ok "all four hooks pass on a clean, formatted Kubefile"; else
	not_ok "hooks on a clean file (exit $rc)"; sed "s/^/# /" "$tmp/out" | tail -30; fi
finish
