#!/bin/sh
# Emacs (Debian's emacs-nox, 28) with only editors/emacs/kubefile-mode.el and
# eglot from Debian's elpa-eglot: auto-mode-alist, the faces of a sample after
# font-lock, and eglot running kfls (eglot-ensure from kubefile-mode-hook):
# the Flymake diagnostics, eglot-format-buffer, the diagnostics after saving
# and after a change of eglot-workspace-configuration. tests/emacs-test.el
# is the Emacs side.
. "$(dirname "$0")/lib.sh"
command -v emacs >/dev/null 2>&1 || { echo "emacs not installed: skipped"; exit 77; }
KFLS=${KFLS:-$(dirname "$KFC")/kfls}
[ -x "$KFLS" ] || { echo "kfls not found (set KFLS)"; exit 99; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Debian's elpa packages (elpa-eglot) are activated from here, as Debian's
# site-start.el does (emacs -Q skips it); Emacs 29 has eglot built in.
elpa=${KF_EMACS_ELPA:-/usr/share/emacs/site-lisp/elpa}
KF_EMACS_ELPA=$elpa HOME=$tmp timeout 60 emacs --batch -Q --eval '(progn (require (quote package))
  (setq package-directory-list (list (getenv "KF_EMACS_ELPA"))) (package-initialize)
  (kill-emacs (if (locate-library "eglot") 0 1)))' </dev/null >/dev/null 2>&1 ||
	{ echo "eglot (elpa-eglot) not installed: skipped"; exit 77; }
editor_samples "$tmp"

cat >"$tmp/expected" <<'OUT'
Kubefile kubefile-mode
Kubefile.prod kubefile-mode
x.kubefile kubefile-mode
Dockerfile fundamental-mode
-- font-lock kubefile-mode
1:1 "# " font-lock-comment-delimiter-face
1:3 "a sample Kubefile\n" font-lock-comment-face
2:1 "from" font-lock-keyword-face
3:1 "ARG" font-lock-keyword-face
4:1 "COPY" font-lock-keyword-face
4:6 "--chmod" font-lock-builtin-face
4:24 "${VERSION}" font-lock-variable-name-face
5:1 "APP" font-lock-keyword-face
5:5 "web" font-lock-type-face
5:9 "local://web" font-lock-constant-face
6:1 "APPCMDS" font-lock-keyword-face
6:9 "web" font-lock-type-face
6:14 "\"kubectl\"" font-lock-string-face
6:25 "\"apply\"" font-lock-string-face
6:34 "\"-f\"" font-lock-string-face
6:40 "\"$VERSION\"" font-lock-string-face
7:1 "MAINTAINER" font-lock-keyword-face
7:13 "'Brien <ops@example.com>\n" font-lock-string-face
8:1 "RUN" font-lock-keyword-face
8:10 "\"v=$VERSION\"" font-lock-string-face
8:23 "'x'" font-lock-string-face
10:1 "LAUNCH" font-lock-keyword-face
-- eglot kubefile-mode kfls
-- diagnostics, opened
1:1 eglot-note kflint [KF212]: write the keyword as FROM
3:14 eglot-error kflint [KF107]: app 'ghost' is not declared: add APP ghost <source> before it
-- formatted
FROM scratch
APP web local://web
LAUNCH web ghost
-- diagnostics, saved
3:12 eglot-error kflint [KF107]: app 'ghost' is not declared: add APP ghost <source> before it
-- diagnostics, settings (:kubefile (:severity (:KF107 "warning")))
3:12 eglot-warning kflint [KF107]: app 'ghost' is not declared: add APP ghost <source> before it
OUT
KFLS=$KFLS KF_SRCDIR=$KF_SRCDIR KF_EMACS_ELPA=$elpa KF_EMACS_OUT=$tmp/out KF_EMACS_DIR=$tmp/ft \
	KF_EMACS_NAMES='Kubefile Kubefile.prod x.kubefile Dockerfile' KF_EMACS_FILE=$tmp/p/Kubefile \
	HOME=$tmp XDG_CONFIG_HOME=$tmp/cfg XDG_DATA_HOME=$tmp/data XDG_STATE_HOME=$tmp/state \
	timeout 60 emacs --batch -Q -l "$KF_TESTDATA/emacs-test.el" </dev/null >"$tmp/log" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "emacs --batch exits 0" || { not_ok "emacs --batch exits 0 (got $rc)"; sed 's/^/# /' "$tmp/log" | head; }
compare "$tmp/expected" "$tmp/out" "emacs: auto-mode-alist, font-lock, eglot diagnostics, formatting and settings"
finish
