#!/bin/sh
# sealos variables (docs/kflint.md, "sealos variables"): $(NAME) in CMD and
# ENTRYPOINT is substituted by sealos run before any shell reads it, so
# ShellCheck reads a neutral word there, and KF223 checks the names.
# Then the ShellCheck findings over the Kubefile corpus, pinned in
# tests/golden/lint-sealos-shellcheck.txt (with the ShellCheck version that
# made them): `tests/lint-sealos.sh --regen` (or tests/regen.sh) rewrites
# it; none of them may sit on a sealos $(NAME).
. "$(dirname "$0")/lib.sh"

KFLINT=$(dirname "$KFC")/kflint
golden=$KF_TESTDATA/golden/lint-sealos-shellcheck.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sc=$(command -v shellcheck || true)

# lint FILE ARGS...: kflint's gnu lines for the Kubefile in $tmp/FILE
lint() {
	f=$1
	shift
	(cd "$tmp" && "$KFLINT" -f gnu --failure-threshold=none "$@" "$f")
}

cat >"$tmp/vars" <<'EOF'
FROM scratch
ENV NAME=web NAMESPACE=web
ARG CHARTS=charts/web
ENV hostname=example.com
CMD ["helm upgrade -i $(NAME) $(CHARTS) -n $(NAMESPACE) $(HELM_OPTS) --set host=$(hostname),v=$(SEALOS_SYS_KUBE_VERSION) $(NAMESPAC)"]
ENTRYPOINT ["echo $(UNSET)"]
EOF
lint vars --no-shellcheck >"$tmp/out"
cat >"$tmp/want" <<'EOF'
vars:3:5: info: ARG 'CHARTS' is only used by start commands, which run when the cluster starts, where build arguments are not set: use ENV [KF215]
vars:5:57: warning: sealos variable 'HELM_OPTS' is not defined: declare it with ENV, or sealos run leaves $(HELM_OPTS) as written and the shell runs 'HELM_OPTS' as a command (unless `sealos run -e HELM_OPTS=…` sets it) [KF223]
vars:5:122: warning: variable 'NAMESPAC' is not defined (did you mean 'NAMESPACE'?) [KF223]
vars:6:19: warning: sealos variable 'UNSET' is not defined: declare it with ENV, or sealos run leaves $(UNSET) as written and the shell runs 'UNSET' as a command (unless `sealos run -e UNSET=…` sets it) [KF223]
EOF
compare "$tmp/want" "$tmp/out" "KF223 at each undefined \$(NAME), KF215 for an ARG, builtins and ENV names defined"

# exact places: the span is the $(NAME), in a JSON string with escapes too
lint vars --no-shellcheck -f json | grep -c '"endColumn": 69' >"$tmp/n" || true
[ "$(cat "$tmp/n")" = 1 ] && ok "KF223 ends after the ) of \$(HELM_OPTS)" || not_ok "KF223 ends after the ) of \$(HELM_OPTS)"
printf 'FROM scratch\nCMD ["echo \\"\\u00e9\\" \\t $(X)"]\n' >"$tmp/esc"
lint esc --no-shellcheck -f json | tr -d ' \n' >"$tmp/out"
grep -q '"line":2,"column":26,"endLine":2,"endColumn":30' "$tmp/out" && ok "KF223 in a JSON string with escapes: at \$(X)" ||
	{ not_ok "KF223 in a JSON string with escapes: at \$(X)"; sed 's/^/# /' "$tmp/out"; }

# a base image may set the Env: an info, naming it
printf 'FROM labring/kubernetes:v1.25.0\nCMD ["echo $(X)"]\n' >"$tmp/base"
lint base --no-shellcheck --dialect=sealos >"$tmp/out"
echo "base:2:12: info: sealos variable 'X' is not defined here: it must come from the Env of the base image 'labring/kubernetes:v1.25.0' or from \`sealos run -e X=…\` [KF223]" >"$tmp/want"
compare "$tmp/want" "$tmp/out" "KF223 is an info when FROM is not scratch"

# other dialects, RUN, ONBUILD: $(NAME) is the shell's
printf 'FROM scratch\nRUN echo $(X)\nONBUILD CMD ["echo $(Y)"]\nCMD ["echo ok"]\n' >"$tmp/run"
lint run --no-shellcheck >"$tmp/out"
[ ! -s "$tmp/out" ] && ok "RUN and ONBUILD: \$(NAME) is not sealos'" || { not_ok "RUN and ONBUILD: \$(NAME) is not sealos'"; sed 's/^/# /' "$tmp/out"; }
printf 'FROM scratch\nCMD ["echo $(X)"]\n' >"$tmp/sealer"
lint sealer --no-shellcheck --dialect=sealer --ignore=KF105 >"$tmp/out"
[ ! -s "$tmp/out" ] && ok "sealer dialect: no KF223" || { not_ok "sealer dialect: no KF223"; sed 's/^/# /' "$tmp/out"; }

if [ -z "$sc" ]; then
	echo "shellcheck not installed: its part skipped"
	finish
	exit $?
fi

# ShellCheck: no word-splitting or single-quote finding on $(NAME), in
# double, single or no quotes; a real command substitution stays one; the
# columns of the other findings map back through the shorter placeholder
cat >"$tmp/sc" <<'EOF'
FROM scratch
ENV A=1 BB=2
CMD ["helm install $(A) -n $(BB) $(HELM_OPTS) $(date) $HOME", "echo '$(A):$(BB)' $(A)$(A) $(kubectl get ns) `true`"]
CMD helm install "$(A)" -n "$(BB)"x $(A) && [ "$(A)" = true ] && [ -z "$(BB)" ] && echo $(( $(A) + 1 )) $HOME
EOF
lint sc | grep '\[SC' >"$tmp/out"
cat >"$tmp/want" <<'EOF'
sc:3:47: warning: Quote this to prevent word splitting. [SC2046]
sc:3:55: info: Double quote to prevent globbing and word splitting. [SC2086]
sc:3:91: warning: Quote this to prevent word splitting. [SC2046]
sc:3:109: warning: Quote this to prevent word splitting. [SC2046]
sc:3:109: style: Use $(...) notation instead of legacy backticks `...`. [SC2006]
sc:4:105: info: Double quote to prevent globbing and word splitting. [SC2086]
EOF
compare "$tmp/want" "$tmp/out" "ShellCheck: nothing on \$(NAME), findings after them at their columns"
# sealos writes $$ as $: ShellCheck reads what the shell will
printf 'FROM scratch\nCMD ["echo $$(date) $$HOME"]\n' >"$tmp/dollar"
lint dollar >"$tmp/out"
cat >"$tmp/want" <<'EOF'
dollar:2:12: warning: Quote this to prevent word splitting. [SC2046]
dollar:2:21: info: Double quote to prevent globbing and word splitting. [SC2086]
EOF
compare "$tmp/want" "$tmp/out" "ShellCheck reads \$\$ as \$, at the columns of the Kubefile"

# the corpus: every ShellCheck finding, pinned
version=$("$sc" --version | sed -n 's/^version: //p')
cd "$KF_TESTDATA/corpus/kubefile" || exit 99
# shellcheck disable=SC2046
"$KFLINT" -f json --failure-threshold=none $(ls | grep -v -E '\.(tsv|md|txt)$' | LC_ALL=C sort) \
	>"$tmp/corpus.json" 2>"$tmp/err" || true
python3 - "$tmp/corpus.json" "$version" >"$tmp/findings" 2>"$tmp/bad" <<'PY'
import json, re, sys
found = json.load(open(sys.argv[1]))
print("# ShellCheck %s over tests/corpus/kubefile: file:line:col-endLine:endCol code message" % sys.argv[2])
bad = 0
for f in found:
    if not f["code"].startswith("SC"):
        continue
    print("%s:%d:%d-%d:%d %s %s" % (f["file"], f["line"], f["column"], f["endLine"], f["endColumn"], f["code"], f["message"]))
    # the text at the finding: never a sealos variable
    line = open(f["file"], encoding="utf-8", errors="replace").read().split("\n")[f["line"] - 1]
    if re.match(r"\$\([A-Z_][A-Z0-9_]*\)", line[f["column"] - 1:]):
        print("on a sealos $(NAME): %s:%d:%d %s" % (f["file"], f["line"], f["column"], f["code"]), file=sys.stderr)
PY
if [ "${1:-}" = "--regen" ]; then
	cp "$tmp/findings" "$golden"
	echo "wrote $golden"
	exit 0
fi
[ ! -s "$tmp/bad" ] && ok "corpus: no ShellCheck finding on a sealos \$(NAME)" || { not_ok "corpus: no ShellCheck finding on a sealos \$(NAME)"; head "$tmp/bad" | sed 's/^/# /'; }
if [ "$(head -1 "$golden")" = "$(head -1 "$tmp/findings")" ]; then
	compare "$golden" "$tmp/findings" "corpus: the ShellCheck findings"
else
	echo "# $golden was made by another ShellCheck version: not compared"
fi
finish
