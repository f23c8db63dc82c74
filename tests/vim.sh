#!/bin/sh
# Vim (Debian's vim, and ALE from Debian's vim-ale) with only the shipped
# editors/vim files on 'runtimepath': filetype detection, the syntax groups
# of a sample, the vim-lsp registration of plugin/kfls.vim, and ALE running
# kfls through ale_linters/kubefile/kfls.vim, with the diagnostics read back
# from ALE's loclist; ALE's fixer kfc_fmt formatting a buffer. tests/vim-test.vim
# is the Vim side.
. "$(dirname "$0")/lib.sh"
command -v vim >/dev/null 2>&1 || { echo "vim not installed: skipped"; exit 77; }
# vim-tiny has no +eval, +syntax or +job: ALE and the syntax file need them.
for f in eval syntax job timers lambda; do
	vim --version 2>/dev/null | grep -q "+$f\\b" || { echo "vim has no +$f: skipped"; exit 77; }
done
ale=
for d in ${KF_VIM_ALE:-} /usr/share/vim-ale /usr/share/vim/vimfiles/pack/dist-bundle/opt/ale; do
	[ -f "$d/autoload/ale/linter.vim" ] && ale=$d && break
done
[ -n "$ale" ] || { echo "vim-ale not installed: skipped"; exit 77; }
KFLS=${KFLS:-$(dirname "$KFC")/kfls}
[ -x "$KFLS" ] || { echo "kfls not found (set KFLS)"; exit 99; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
vimrt=$KF_SRCDIR/editors/vim

# run_vim NAME PART DIRS [LINTERS [SETTINGS]]: tests/vim-test.vim's PART with
# 'runtimepath' DIRS,$VIMRUNTIME (g:ale_linters LINTERS, g:kfls_settings
# SETTINGS); its output is $tmp/NAME.out
run_vim() {
	KF_VIM_PART=$2 KF_VIM_OUT=$tmp/$1.out KF_VIM_DIR=$tmp/ft KF_VIM_FILE=$tmp/p/Kubefile KF_VIM_KFLS=$KFLS KF_VIM_KFC=$KFC \
		KF_VIM_NAMES='Kubefile Kubefile.prod x.kubefile Dockerfile' KF_VIM_LINTERS=${4:-} KF_VIM_SETTINGS=${5:-} \
		HOME=$tmp XDG_CONFIG_HOME=$tmp/cfg XDG_DATA_HOME=$tmp/data XDG_STATE_HOME=$tmp/state \
		KF_VIM_RTP=$3 timeout 60 vim -N -u NONE -i NONE -n -es --cmd 'let &runtimepath = $KF_VIM_RTP . "," . $VIMRUNTIME' \
		-S "$KF_TESTDATA/vim-test.vim" </dev/null >"$tmp/$1.log" 2>&1
	rc=$?
	[ $rc -eq 0 ] && ok "vim ($1) exits 0" || {
		not_ok "vim ($1) exits 0 (got $rc)"
		sed 's/^/# /' "$tmp/$1.log" "$tmp/$1.out" 2>/dev/null | head -20
	}
}

mkdir -p "$tmp/vim-lsp/autoload"
# vim-lsp is not in Debian: this stand-in for its lsp#register_server records
# what plugin/kfls.vim registers.
cat >"$tmp/vim-lsp/autoload/lsp.vim" <<'VIM'
let g:kf_lsp_servers = []
function! lsp#register_server(info) abort
  call add(g:kf_lsp_servers, a:info)
endfunction
VIM
editor_samples "$tmp"

cat >"$tmp/syntax.expected" <<'OUT'
Kubefile kubefile
Kubefile.prod kubefile
x.kubefile kubefile
Dockerfile dockerfile
-- syntax kubefile
1:1 # a sample Kubefile kubefileComment Comment Comment
2:1 from kubefileInstruction Keyword Statement
3:1 ARG kubefileInstruction Keyword Statement
4:1 COPY kubefileInstruction Keyword Statement
4:6 --chmod kubefileFlag Identifier Identifier
4:24 ${VERSION} kubefileVariable PreProc PreProc
5:1 APP kubefileAppInstruction Keyword Statement
5:5 web kubefileAppName Type Type
5:9 local://web kubefileUrl Underlined Underlined
6:1 APPCMDS kubefileAppInstruction Keyword Statement
6:9 web kubefileAppName Type Type
6:14 "kubectl" kubefileString String Constant
6:25 "apply" kubefileString String Constant
6:34 "-f" kubefileString String Constant
6:40 " kubefileString String Constant
6:41 $VERSION kubefileVariable PreProc PreProc
6:49 " kubefileString String Constant
7:1 MAINTAINER kubefileInstruction Keyword Statement
7:13 'Brien <ops@example.com> kubefileString String Constant
8:1 RUN kubefileInstruction Keyword Statement
8:10 "v= kubefileString String Constant
8:13 $VERSION kubefileVariable PreProc PreProc
8:21 " kubefileString String Constant
8:23 'x' kubefileString String Constant
8:31 \ kubefileContinuation Special Special
10:1 LAUNCH kubefileInstruction Keyword Statement
-- vim-lsp
kfls cmd=$KFLS ['kubefile'] {'kubefile': {'dialect': 'sealer'}}
OUT
run_vim syntax syntax "$vimrt,$tmp/vim-lsp"
compare "$tmp/syntax.expected" "$tmp/syntax.out" "vim: filetype detection, syntax groups, vim-lsp registration"

cat >"$tmp/ale.expected" <<'OUT'
ale_linters {'kubefile': ['kfls']}
filetype kubefile
linters kfls
1:1 W write the keyword as FROM [kfls KF212]
3:14 E app 'ghost' is not declared: add APP ghost <source> before it [kfls KF107]
OUT
run_vim ale ale "$vimrt,$ale" "{'kubefile': ['kfls']}"
compare "$tmp/ale.expected" "$tmp/ale.out" "vim: ALE runs kfls, diagnostics from ALE's loclist"

# g:kfls_settings reaches kfls (ALE sends it before opening the document);
# without g:ale_linters, ALE runs kfls as the one kubefile linter there is.
cat >"$tmp/ale-settings.expected" <<'OUT'
settings {'severity': {'KF107': 'warning'}}
filetype kubefile
linters kfls
1:1 W write the keyword as FROM [kfls KF212]
3:14 W app 'ghost' is not declared: add APP ghost <source> before it [kfls KF107]
OUT
run_vim ale-settings ale "$vimrt,$ale" "" "{'severity': {'KF107': 'warning'}}"
compare "$tmp/ale-settings.expected" "$tmp/ale-settings.out" "vim: g:kfls_settings through ALE, no g:ale_linters"

# ALE's fixer: kfc fmt - on the misformatted sample
cat >"$tmp/fix.expected" <<'OUT'
fixers kfc_fmt
-- fixed (modified)
FROM scratch
APP web local://web
LAUNCH web ghost
OUT
run_vim fix fix "$vimrt,$ale"
compare "$tmp/fix.expected" "$tmp/fix.out" "vim: ALE's fixer kfc_fmt formats the buffer with kfc fmt -"
finish
