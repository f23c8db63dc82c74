#!/bin/sh
# kfc fmt's command line: -w, --check, --diff, standard input, directories,
# and the settings from .editorconfig and .kflint.yaml.
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 99
mkdir -p repo/.git repo/app/sub
cd repo || exit 99

status() { rc=0; "$@" >out 2>err || rc=$?; echo "$rc"; }

printf 'from scratch\nrun echo a \\\n  b\n' >app/Kubefile
printf 'FROM scratch\n' >app/sub/x.kubefile
printf 'not a kubefile\n' >app/sub/README
chmod 640 app/Kubefile

# --check: exit 1 and a unified diff naming the file
[ "$(status "$KFC" fmt --check app/Kubefile)" = 1 ] && ok "--check: exit 1 on an unformatted file" || not_ok "--check exit"
cat >want <<'EOD'
--- a/app/Kubefile
+++ b/app/Kubefile
@@ -1,3 +1,3 @@
-from scratch
-run echo a \
-  b
+FROM scratch
+RUN echo a \
+    b
EOD
compare want out "--check prints a unified diff"
[ "$(status "$KFC" fmt --diff app/Kubefile)" = 1 ] && ok "--diff: exit 1" || not_ok "--diff exit"
compare want out "--diff prints the same diff"
[ "$(status "$KFC" fmt --check app/sub/x.kubefile)" = 0 ] && [ ! -s out ] && ok "--check: exit 0 and silent on a formatted file" || not_ok "--check on a formatted file"

# -w: rewritten in place, mode kept, no temporary file left
[ "$(status "$KFC" fmt -w app)" = 0 ] && ok "-w on a directory" || not_ok "-w exit"
printf 'FROM scratch\nRUN echo a \\\n    b\n' >want
compare want app/Kubefile "-w rewrote the file"
printf 'app/Kubefile\n' >want
compare want out "-w names the file it rewrote, and only it"
[ "$(stat -c %a app/Kubefile)" = 640 ] && ok "-w kept the file's mode" || not_ok "-w mode: $(stat -c %a app/Kubefile)"
[ "$(ls app | wc -l)" = 2 ] && ok "-w left no temporary file" || not_ok "-w left: $(ls app)"
[ "$(cat app/sub/README)" = "not a kubefile" ] && ok "-w on a directory leaves other files" || not_ok "README changed"
touch -d '2001-01-01' app/sub/x.kubefile
"$KFC" fmt -w app/sub/x.kubefile >out
[ ! -s out ] && ok "-w names no formatted file" || not_ok "-w named: $(cat out)"
[ "$(stat -c %Y app/sub/x.kubefile)" = "$(date -d 2001-01-01 +%s)" ] && ok "-w does not touch a formatted file" || not_ok "-w touched a formatted file"

# standard input
printf 'from scratch\n' | "$KFC" fmt - >out 2>err
printf 'FROM scratch\n' >want
compare want out "stdin to stdout"

# .editorconfig: indent_style and indent_size for Kubefiles
printf 'root = true\n[*]\nindent_size = 8\n[Kubefile]\nindent_style = space\nindent_size = 2\n' >.editorconfig
"$KFC" fmt app/Kubefile >out
printf 'FROM scratch\nRUN echo a \\\n  b\n' >want
compare want out ".editorconfig indent_size"
printf 'run echo a \\\n b\n' | "$KFC" fmt --stdin-filename=app/other.kubefile - >out
printf 'RUN echo a \\\n        b\n' >want
compare want out ".editorconfig applies to --stdin-filename"

# .kflint.yaml fmt section wins over .editorconfig; the command line over both
printf 'fmt:\n  indent: 3\n' >.kflint.yaml
"$KFC" fmt app/Kubefile >out
printf 'FROM scratch\nRUN echo a \\\n   b\n' >want
compare want out ".kflint.yaml fmt.indent"
"$KFC" fmt --indent=5 app/Kubefile >out
printf 'FROM scratch\nRUN echo a \\\n     b\n' >want
compare want out "--indent wins"
printf 'fmt:\n  indent_style: tab\n  rewrite: [legacy-env]\n' >.kflint.yaml
printf 'env A b c\nrun a \\\n b\n' | "$KFC" fmt --stdin-filename=Kubefile - >out
printf 'ENV A="b c"\nRUN a \\\n\tb\n' >want
compare want out ".kflint.yaml indent_style and rewrite"

# --rewrite=legacy-env and KF204 agree: every legacy value the rewrite takes
# (quoted, several words, escapes, variables) keeps its value (kfc plan's
# config), and kflint has no KF204 left; the ones it leaves, kflint tells
# how to fix by hand, and fmt --check finds nothing to do
KFLINT=$(dirname "$KFC")/kflint
mkdir -p legacy
cat >legacy/Kubefile <<'EOK'
FROM scratch
ENV V=vv
ENV K1 a
ENV K2 a b
ENV K3 a   b
ENV K4 "a b"
ENV K5 'a  b'
ENV K6 a "b  c" d
ENV K7 "a\"b" c
ENV K8 a\ b
ENV K9 $V w
ENV K10 "$V" 'x $V' \$V
ENV K11 ${V:-a b}
ENV K12 x=y z
ENV K13 a	b
ENV K14 a\\ b
ENV K15 'it''s' "a	b"
LABEL l1 "a b" c
LABEL l2 x y
EOK
cat >want <<'EOK'
FROM scratch
ENV V=vv
ENV K1=a
ENV K2="a b"
ENV K3="a   b"
ENV K4="a b"
ENV K5='a  b'
ENV K6=a\ "b  c"\ d
ENV K7="a\"b"\ c
ENV K8=a\ b
ENV K9="$V w"
ENV K10="$V"\ 'x $V'\ \$V
ENV K11="${V:-a b}"
ENV K12="x=y z"
ENV K13="a	b"
ENV K14=a\\\ b
ENV K15='it''s'\ "a	b"
LABEL l1="a b"\ c
LABEL l2="x y"
EOK
printf '# escape=`\nFROM scratch\nENV K1 a "b`" c" d`$V e\\f\nENV K2 C:\\a b\n' >legacy/Kubefile.bt
printf '# escape=`\nFROM scratch\nENV K1=a` "b`" c"` d`$V` e\\f\nENV K2="C:\\a b"\n' >want.bt
config() { "$KFC" plan -f "legacy/$1" legacy | sed -n '/^  "config": {/,/^  },/p'; }
"$KFC" fmt --rewrite=legacy-env legacy/Kubefile >out
compare want out "legacy-env: quoted, multi-word and escaped values become key=value"
"$KFC" fmt --rewrite=legacy-env legacy/Kubefile.bt >out.bt
compare want.bt out.bt "legacy-env: with the escape character \`"
"$KFC" fmt --rewrite=legacy-env out >again
compare out again "legacy-env: the rewritten file is formatted"
for f in Kubefile Kubefile.bt; do
	cp "legacy/$f" "legacy/$f.orig"
	"$KFLINT" -f gnu --no-shellcheck --failure-threshold=none "legacy/$f" >lint.before
	[ "$(grep -c 'KF204' lint.before)" -ge 2 ] && ok "KF204 reports the legacy forms of $f" || not_ok "KF204 on $f"
	"$KFC" fmt -w --rewrite=legacy-env "legacy/$f"
	"$KFLINT" -f gnu --no-shellcheck --failure-threshold=none "legacy/$f" >lint.after
	grep -q 'KF204' lint.after && not_ok "no KF204 after the rewrite of $f: $(grep KF204 lint.after)" ||
		ok "no KF204 after the rewrite of $f"
	if "$KFC" plan --help >/dev/null 2>&1; then
		config "$f.orig" >config.before
		config "$f" >config.after
		[ -s config.before ] && compare config.before config.after "the rewrite of $f keeps every value (kfc plan's config)"
		cp config.before "config.$f"
	fi
done
if "$KFC" plan --help >/dev/null 2>&1; then
	grep -F '"K14=a\\ b",' config.Kubefile >/dev/null && grep -F '"K10=vv x $V $V",' config.Kubefile >/dev/null &&
		grep -F '"K15=its a\tb"' config.Kubefile >/dev/null && grep -F '"K1=a b\" c d$V e\\f",' config.Kubefile.bt >/dev/null &&
		ok "the values are BuildKit's" || not_ok "the values: $(cat config.Kubefile config.Kubefile.bt)"
fi
# what the rewrite leaves: KF204 says how to fix it by hand
cat >legacy/Kubefile <<'EOK'
FROM scratch
ENV K1 "a b
ENV K2 ${V#a b} "c"
ENV K3 a \
    b
ENV K"4 v
EOK
cp legacy/Kubefile want
"$KFC" fmt --rewrite=legacy-env legacy/Kubefile >out
compare want out "legacy-env leaves what it cannot rewrite with certainty"
[ "$(status "$KFC" fmt --check --rewrite=legacy-env legacy/Kubefile)" = 0 ] && ok "fmt --check: nothing to do there" ||
	not_ok "fmt --check on what the rewrite leaves"
"$KFLINT" -f gnu --no-shellcheck --failure-threshold=none --ignore=KF219,KF205 legacy/Kubefile >out
cat >want <<'EOK'
legacy/Kubefile:2:5: warning: legacy ENV form: write K1=value (a quote in the value is not closed, which the build refuses and kfc fmt leaves: close it, or escape it if it is meant literally) [KF204]
legacy/Kubefile:3:5: warning: legacy ENV form: write K2=value (kfc fmt leaves a value with ${...} that has blanks outside quotes and quotes or escape characters too: quote its blanks by hand) [KF204]
legacy/Kubefile:4:5: warning: legacy ENV form: write K3=value (kfc fmt leaves a value continued over several lines: join its lines by hand, then quote its blanks) [KF204]
legacy/Kubefile:6:5: warning: legacy ENV form: write K"4=value (kfc fmt leaves a name with a quote or an escape character: write a plain name by hand) [KF204]
EOK
compare want out "KF204 says how to fix by hand what the rewrite leaves"

# a bad config is an error with its place
printf 'fmt:\n  indent: many\n' >.kflint.yaml
[ "$(status "$KFC" fmt app/Kubefile)" = 2 ] && ok "bad config: exit 2" || not_ok "bad config exit"
printf 'kfc fmt: %s/.kflint.yaml:2:11: fmt.indent must be a whole number from 1 to 16\n' "$(pwd -P)" >want
compare want err "bad config: located message"
printf 'fmt:\n  colour: red\n' >.kflint.yaml
status "$KFC" fmt app/Kubefile >/dev/null
grep -q '.kflint.yaml:2:3: unknown key fmt.colour' err && ok "unknown key is named" || not_ok "unknown key: $(cat err)"
printf 'fmt: [\n' >.kflint.yaml
[ "$(status "$KFC" fmt app/Kubefile)" = 2 ] && grep -q '.kflint.yaml:2:1: ' err && ok "invalid YAML: located" || not_ok "invalid YAML: $(cat err)"
rm .kflint.yaml
printf 'fmt:\n  indent: 6\n' >other.yaml
"$KFC" fmt --config=other.yaml app/Kubefile >out
printf 'FROM scratch\nRUN echo a \\\n      b\n' >want
compare want out "--config"

# usage errors
[ "$(status "$KFC" fmt -w --check app/Kubefile)" = 2 ] && ok "-w with --check: usage error" || not_ok "-w --check"
[ "$(status "$KFC" fmt --indent=0 app/Kubefile)" = 2 ] && ok "--indent=0: usage error" || not_ok "--indent=0"
[ "$(status "$KFC" fmt --rewrite=everything app/Kubefile)" = 2 ] && ok "unknown rewrite: usage error" || not_ok "--rewrite"
[ "$(status "$KFC" fmt missing)" = 2 ] && ok "missing file: exit 2" || not_ok "missing file"
[ "$(status "$KFC" fmt --lines=3:1 app/Kubefile)" = 2 ] && ok "bad --lines: usage error" || not_ok "--lines"
finish
