#!/bin/sh
# Neovim (Debian's, 0.7) with the shipped editors/nvim setup: opens a
# Kubefile with an error, reads the diagnostics back from Neovim
# (vim.diagnostic.get), checks 'omnifunc' and the syntax groups of the
# shipped syntax file, and formats the buffer through kfls.
. "$(dirname "$0")/lib.sh"
command -v nvim >/dev/null 2>&1 || { echo "nvim not installed: skipped"; exit 77; }
KFLS=${KFLS:-$(dirname "$KFC")/kfls}
[ -x "$KFLS" ] || { echo "kfls not found (set KFLS)"; exit 99; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'from   scratch\nAPP web local://web\nLAUNCH   web ghost\n' >"$tmp/Kubefile"
mkdir "$tmp/web" && printf 'kind: Namespace\n' >"$tmp/web/ns.yaml"
cat >"$tmp/expected" <<'OUT'
filetype kubefile
1:1 HINT write the keyword as FROM
3:14 ERROR app 'ghost' is not declared: add APP ghost <source> before it
omnifunc v:lua.vim.lsp.omnifunc
syntax kubefile
1:1 kubefileInstruction Statement
2:5 kubefileAppName Type
2:9 kubefileUrl Underlined
-- formatted
FROM scratch
APP web local://web
LAUNCH web ghost
OUT
KFLS=$KFLS KF_SRCDIR=$KF_SRCDIR KF_NVIM_FILE=$tmp/Kubefile KF_NVIM_OUT=$tmp/out \
	XDG_CONFIG_HOME=$tmp/cfg XDG_DATA_HOME=$tmp/data XDG_STATE_HOME=$tmp/state HOME=$tmp \
	timeout 60 nvim --headless --clean -n -u "$KF_TESTDATA/nvim-test.lua" >"$tmp/log" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "nvim --headless exits 0" || { not_ok "nvim --headless exits 0 (got $rc)"; sed 's/^/# /' "$tmp/log" | head; }
compare "$tmp/expected" "$tmp/out" "nvim: diagnostics from vim.diagnostic.get, then formatting"
finish
