#!/bin/sh
# make install DESTDIR=…: the sorted list of the files it writes, relative to
# the prefix, is tests/golden/install.txt (without kfls and its page when
# configure left kfls out). Every page of docs/ and every editor file of
# editors/vim, editors/nvim and editors/emacs is among them, and the man
# pages carry the version and the installed docs' folder.
#   tests/install.sh [--regen]        (KFC: the kfc of the build folder to install)
. "$(dirname "$0")/lib.sh"

build=$(dirname "$KFC")
[ -f "$build/Makefile" ] || { echo "no Makefile beside $KFC: skipped"; exit 77; }
prefix=$(sed -n 's/^prefix = //p' "$build/Makefile")
version=$(sed -n 's/^VERSION = //p' "$build/Makefile")
golden=$KF_TESTDATA/golden/install.txt

T=$(mktemp -d)
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
if ! make -s -C "$build" install DESTDIR="$T/root" >"$T/log" 2>&1; then
	not_ok "make install DESTDIR=…"; sed 's/^/# /' "$T/log" | tail -20; finish
fi
ok "make install DESTDIR=…"
(cd "$T/root$prefix" && find . -type f -o -type l) | sed 's|^\./||' | sort >"$T/list"

if [ "${1:-}" = "--regen" ]; then
	cp "$T/list" "$golden"
	echo "regenerated $golden"
	exit 0
fi

# kfls and its man page exist only when configure built kfls
if grep -q '^bin/kfls$' "$T/list"; then cp "$golden" "$T/want"; else
	grep -v '^bin/kfls$\|^share/man/man1/kfls\.1$' "$golden" >"$T/want"; fi
compare "$T/want" "$T/list" "the installed files are tests/golden/install.txt"

# the lists in Makefile.am miss nothing the source tree has
missing=
for f in $(cd "$KF_SRCDIR" && ls docs/*.md docs/rules/*.md); do
	grep -qx "share/doc/kubefile/$f" "$T/list" || missing="$missing $f"
done
for f in $(cd "$KF_SRCDIR/editors/vim" && find . -type f ! -name README.md | sed 's|^\./||'); do
	grep -qx "share/vim/vimfiles/$f" "$T/list" || missing="$missing editors/vim/$f"
done
for f in $(cd "$KF_SRCDIR/editors/nvim" && find . -type f ! -name README.md | sed 's|^\./||'); do
	grep -qx "share/nvim/site/$f" "$T/list" || missing="$missing editors/nvim/$f"
done
for f in $(cd "$KF_SRCDIR/editors/emacs" && find . -type f -name '*.el' | sed 's|^\./||'); do
	grep -qx "share/emacs/site-lisp/$f" "$T/list" || missing="$missing editors/emacs/$f"
done
if [ -z "$missing" ]; then ok "every page of docs/ and every vim, nvim and emacs file is installed"; else
	not_ok "not installed (list them in Makefile.am):$missing"; fi

# the man pages: version, a date, the docs' folder; no placeholder left
for m in kfc kflint; do
	page=$T/root$prefix/share/man/man1/$m.1
	th=$(sed -n 1p "$page")
	if printf '%s\n' "$th" | grep -Eq "^\\.TH [A-Z]+ 1 \"[0-9]{4}-[0-9]{2}-[0-9]{2}\" \"kubefile $version\" \"User Commands\"\$" &&
		grep -q "^\\.I $prefix/share/doc/kubefile\$" "$page" && ! grep -q '@[A-Za-z_]*@' "$page"; then
		ok "$m.1 names its date, version $version and $prefix/share/doc/kubefile"
	else
		not_ok "$m.1: $th"; grep -n '@[A-Za-z_]*@\|share/doc' "$page" | sed 's/^/# /' | head -5
	fi
done

# the editors find the installed files where they look: Neovim under
# $XDG_DATA_DIRS/nvim/site, Vim in a vimfiles folder on 'runtimepath', Emacs
# on load-path (each pointed at DESTDIR here)
share=$T/root$prefix/share
mkdir -p "$T/w" "$T/home" && printf 'FROM scratch\n' >"$T/w/Kubefile"
if command -v nvim >/dev/null 2>&1; then
	got=$(cd "$T/w" && HOME=$T/home XDG_DATA_DIRS=$share:/usr/share timeout 30 nvim --headless --clean Kubefile \
		+'lua io.stdout:write(vim.bo.filetype .. " " .. tostring(pcall(require, "kfls")) .. "\n")' +qa 2>&1)
	if [ "$got" = "kubefile true" ]; then ok "nvim detects a Kubefile and loads kfls.lua from share/nvim/site"; else
		not_ok "nvim from share/nvim/site: $got"; fi
fi
if command -v vim >/dev/null 2>&1; then
	got=$(cd "$T/w" && HOME=$T/home timeout 30 vim -Nu NONE -es --cmd "set rtp^=$share/vim/vimfiles" --cmd 'filetype on' \
		--cmd 'syntax on' Kubefile +'put =&filetype . \" \" . get(b:, \"current_syntax\", \"none\")' +'%print' +'qa!' 2>&1)
	if printf '%s\n' "$got" | grep -qx 'kubefile kubefile'; then
		ok "vim detects a Kubefile and highlights it from share/vim/vimfiles"
	else not_ok "vim from share/vim/vimfiles: $got"; fi
fi
if command -v emacs >/dev/null 2>&1; then
	got=$(cd "$T/w" && HOME=$T/home timeout 60 emacs --batch -Q -L "$share/emacs/site-lisp" \
		--eval '(progn (require (quote kubefile-mode)) (find-file "Kubefile") (princ major-mode))' 2>/dev/null)
	if [ "$got" = kubefile-mode ]; then ok "emacs loads kubefile-mode from share/emacs/site-lisp"; else
		not_ok "emacs from share/emacs/site-lisp: $got"; fi
fi

# the licence travels with the docs
if cmp -s "$KF_SRCDIR/LICENSE" "$T/root$prefix/share/doc/kubefile/LICENSE" &&
	grep -q 'Apache License' "$KF_SRCDIR/LICENSE"; then
	ok "LICENSE (Apache-2.0) is installed in share/doc/kubefile"
else
	not_ok "LICENSE"
fi
finish
