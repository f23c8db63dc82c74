#!/bin/sh
# The docs stand alone: no shipped file cites the language specification that
# lived outside the repository (../shared, "spec §N", "§N" section numbers:
# docs/language.md is the reference now), and every relative link between the
# Markdown files names a file that exists and, with #anchor, a heading of it
# (GitHub's anchors).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || { echo "python3 not installed: skipped"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$KF_SRCDIR" || exit 99

# the shipped files that are text: the docs, the man pages, the editors, the sources' comments
files=$(find README.md LICENSE action.yml .pre-commit-hooks.yaml docs man editors src lsp grammar bench fuzz/*.c \
	tests/*.sh tests/unit -type f ! -name docs.sh \( -name '*.md' -o -name '*.1.in' -o -name '*.[ch]' -o -name '*.y' -o -name '*.re' \
	-o -name '*.vim' -o -name '*.lua' -o -name '*.el' -o -name '*.js' -o -name '*.json' -o -name '*.sh' -o -name '*.yml' \
	-o -name '*.yaml' -o -name README.md -o -name LICENSE \) ! -path '*/node_modules/*' 2>/dev/null | sort)
# shellcheck disable=SC2086
grep -n -e '\.\./shared' -e 'spec §' -e '§[0-9]' $files | grep -v 'RFC [0-9]* §' >"$T/hits"
if [ ! -s "$T/hits" ]; then ok "no shipped file cites ../shared or a section of the old specification"; else
	not_ok "citations of the old specification (point them at docs/language.md)"; sed 's/^/# /' "$T/hits" | head -20; fi

# shellcheck disable=SC2046
if python3 - $(find README.md docs editors lsp bench -name '*.md' ! -path '*/node_modules/*' | sort) >"$T/links" <<'EOP'; then
import os, re, sys
def slug(h):
    h = re.sub(r"[^\w\- ]", "", h.strip().lower())
    return h.replace(" ", "-")
def anchors(path, cache={}):
    if path not in cache:
        seen, out, fence = {}, set(), False
        for line in open(path, encoding="utf-8"):
            if line.startswith("```"):
                fence = not fence
            m = None if fence else re.match(r"#{1,6} (.*)", line)
            if m:
                a = slug(m.group(1))
                n = seen.get(a, 0)
                seen[a] = n + 1
                out.add(a if n == 0 else f"{a}-{n}")
        cache[path] = out
    return cache[path]
bad = 0
for f in sys.argv[1:]:
    fence = False
    for no, line in enumerate(open(f, encoding="utf-8"), 1):
        if line.startswith("```") or line.startswith("  ```"):
            fence = not fence
        if fence:
            continue
        line = re.sub(r"`[^`]*`", "", line)
        for target in re.findall(r"\]\(([^)\s]+)\)", line):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(f), path)) if path else f
            if not os.path.exists(dest):
                print(f"{f}:{no}: {target}: no file {dest}"); bad += 1
            elif anchor and dest.endswith(".md") and anchor not in anchors(dest):
                print(f"{f}:{no}: {target}: no heading #{anchor} in {dest}"); bad += 1
sys.exit(1 if bad else 0)
EOP
	ok "every relative link between the docs names a file and a heading that exist"
else
	not_ok "broken links"; sed 's/^/# /' "$T/links" | head -30
fi

# docs/language.md covers every instruction the parser knows
missing=
[ -f docs/language.md ] || missing=" docs/language.md itself"
[ -n "$missing" ] || for kw in FROM ARG ENV LABEL MAINTAINER COPY ADD RUN CMD ENTRYPOINT SHELL WORKDIR USER EXPOSE VOLUME ONBUILD STOPSIGNAL \
	HEALTHCHECK APP CNI CSI APPCMDS APPENV LAUNCH CMDS KUBEVERSION PLUGINS IMAGES; do
	grep -q "\`$kw\`" docs/language.md || missing="$missing $kw"
	grep -q "^## $kw\$" docs/instructions.md || missing="$missing $kw(instructions.md)"
done
if [ -z "$missing" ]; then ok "docs/language.md names every instruction"; else not_ok "docs/language.md lacks:$missing"; fi
finish
