#!/bin/sh
# dialects.sh - one image for both runtimes: real sealos Kubefiles
# (tests/dialects/*/Kubefile, from labring-actions/cluster-image, see
# tests/dialects/SOURCES) built, and the image config compared field by field
# with tests/dialects/*/expected.json, written by hand from buildah's rules
# (JSON-form CMD and ENTRYPOINT as the array, shell form as
# ["/bin/sh", "-c", TEXT] with continuation lines joined, ENV values with
# quotes removed and ${X:-word} expanded), not from kfc's output; then
# Docker's rules around them (ENTRYPOINT and an inherited Cmd, SHELL, what a
# derived image keeps), and the image type both runtimes read.
. "$(dirname "$0")/lib.sh"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export KFC_STORE="$T/store"
PY=python3
KFLINT=${KFLINT:-$(dirname "$KFC")/kflint}

# config CONTEXT NAME: builds CONTEXT (a copy: the test folder is not written), prints nothing; the
# image's inspect JSON in $T/NAME.json
config() {
	rm -rf "$T/ctx-$2"
	cp -r "$1" "$T/ctx-$2"
	rm -f "$T/ctx-$2/expected.json"
	"$KFC" build --progress=quiet -t "dialect/$2:v1" "$T/ctx-$2" >/dev/null 2>"$T/err" &&
		"$KFC" inspect --format=json "dialect/$2:v1" >"$T/$2.json"
}

for d in "$KF_SRCDIR"/tests/dialects/*/; do
	n=$(basename "$d")
	if ! config "$d" "$n"; then
		not_ok "$n builds"; sed 's/^/# /' "$T/err"
		continue
	fi
	if $PY - "$T/$n.json" "$d/expected.json" <<'EOF'; then
import json, sys
got = json.load(open(sys.argv[1]))
want = json.load(open(sys.argv[2]))
cfg = got["config"]["config"]
bad = []
wtype = want.pop("type")
for k in sorted(set(cfg) | set(want)):
    if cfg.get(k) != want.get(k):
        bad.append("%s: got %r, want %r" % (k, cfg.get(k), want.get(k)))
if got["extension"]["type"] != wtype:
    bad.append("sealer type: got %r, want %r" % (got["extension"]["type"], wtype))
# sealer reads launch.cmds: the same commands
cmds = got["extension"].get("launch", {}).get("cmds")
wc = want.get("Cmd")
if wc and wc[:2] == ["/bin/sh", "-c"]:
    wc = wc[2:]
if wc and cmds != wc:
    bad.append("launch.cmds: got %r, want %r" % (cmds, wc))
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
EOF
		ok "$n: the config is what buildah writes (Cmd, Env, Labels), sealer's launch.cmds and type agree"
	else
		not_ok "$n: the config"
	fi
done

# ---- Docker's rules around CMD and ENTRYPOINT ---------------------------------------------------
mkdir -p "$T/base" "$T/derived" "$T/ep" "$T/shell"
printf 'FROM scratch\nWORKDIR /srv\nCMD ["run", "base"]\nENTRYPOINT ["/entry"]\n' >"$T/base/Kubefile"
printf 'FROM dialect/base:v1\nLABEL derived=yes\n' >"$T/derived/Kubefile"
# (a sealos label: ENTRYPOINT and SHELL mean nothing to sealer, KF213)
printf 'FROM dialect/base:v1\nLABEL sealos.io.type=application\nENTRYPOINT ["/other"]\n' >"$T/ep/Kubefile"
printf 'FROM scratch\nLABEL sealos.io.type=application\nSHELL ["/bin/bash", "-euc"]\nCMD echo "$HOME" && true\n' >"$T/shell/Kubefile"
for n in base derived ep shell; do
	"$KFC" build --progress=quiet --build-mode=lite -t "dialect/$n:v1" "$T/$n" >/dev/null 2>"$T/err" ||
		{ not_ok "$n builds"; sed 's/^/# /' "$T/err"; }
	"$KFC" inspect --format=json "dialect/$n:v1" | $PY -c '
import json, sys
c = json.load(sys.stdin)["config"]["config"]
print(json.dumps({k: c.get(k) for k in ("Cmd", "Entrypoint", "Shell", "WorkingDir")}, sort_keys=True))' >"$T/$n.cfg"
done
printf '%s\n' '{"Cmd": ["run", "base"], "Entrypoint": ["/entry"], "Shell": null, "WorkingDir": "/srv"}' >"$T/want"
compare "$T/want" "$T/base.cfg" "CMD before ENTRYPOINT in one Kubefile: both kept"
compare "$T/want" "$T/derived.cfg" "a derived image keeps its base's Cmd, Entrypoint and WorkingDir"
printf '%s\n' '{"Cmd": null, "Entrypoint": ["/other"], "Shell": null, "WorkingDir": "/srv"}' >"$T/want"
compare "$T/want" "$T/ep.cfg" "a new ENTRYPOINT drops the base's Cmd (docker, buildah)"
printf '%s\n' '{"Cmd": ["/bin/bash", "-euc", "echo \"$HOME\" && true"], "Entrypoint": null, "Shell": ["/bin/bash", "-euc"], "WorkingDir": null}' >"$T/want"
compare "$T/want" "$T/shell.cfg" "SHELL: the shell form of CMD runs in it, and Shell is in the config"

# ---- the image type: sealer's extension and sealos's label agree ---------------------------------
mkdir -p "$T/ty"
printf 'FROM scratch\nLABEL sealos.io.type=rootfs\nCMD ["x"]\n' >"$T/ty/Kubefile"
"$KFC" build --progress=quiet --build-mode=lite --type=app-installer -t dialect/ty:v1 "$T/ty" >/dev/null 2>"$T/err"
rc=$?
printf '%s/ty/Kubefile:2:7: error: --type=app-installer, but the image'"'"'s label sealos.io.type=rootfs makes it a cluster rootfs for sealos: sealer and sealos would run it differently; drop one or make them agree [KF517]\n  LABEL sealos.io.type=rootfs\n        ^~~~~~~~~~~~~~\n' "$T" >"$T/want"
[ $rc -eq 1 ] && compare "$T/want" "$T/err" "--type and sealos.io.type that disagree: KF517" ||
	{ not_ok "KF517 (exit $rc)"; sed 's/^/# /' "$T/err"; }
printf 'FROM scratch\nCOPY a /a\nCMDS ["kubectl apply -f a"]\n' >"$T/ty/Kubefile"
echo a >"$T/ty/a"
"$KFC" build --progress=quiet --build-mode=lite -t dialect/ty:v2 "$T/ty" >/dev/null 2>"$T/err" ||
	{ not_ok "a sealer Kubefile builds"; sed 's/^/# /' "$T/err"; }
"$KFC" inspect --format=json dialect/ty:v2 | $PY -c '
import json, sys
j = json.load(sys.stdin)
assert j["extension"]["type"] == "kube-installer", j["extension"]["type"]
assert j["config"]["config"]["Labels"]["sealos.io.type"] == "rootfs", j["config"]["config"]
' && ok "a sealer Kubefile: kube-installer, and sealos.io.type=rootfs written so sealos agrees" || not_ok "sealer type"

# ---- which file: Sealfile, Kubefile, Dockerfile, Containerfile (sealos build's order) -------------
F=$T/files
mkdir -p "$F/seal" "$F/docker" "$F/none" "$F/lower/sub"
printf 'FROM scratch\nLABEL from=sealfile\n' >"$F/seal/Sealfile"
printf 'FROM scratch\nLABEL from=kubefile\n' >"$F/seal/Kubefile"
printf 'FROM scratch\nLABEL from=containerfile\n' >"$F/docker/Containerfile"
printf 'FROM scratch\nLABEL from=dockerfile\n' >"$F/docker/Dockerfile"
printf 'FROM scratch\nCMD ["x"]\n' >"$F/lower/sub/kubefile"
for f in seal/Sealfile seal/Kubefile docker/Dockerfile docker/Containerfile lower/sub/kubefile; do
	echo 'MAINTAINER someone' >>"$F/$f" # a finding (KF203), so that kflint names each file it read
done
label_of() { "$KFC" inspect --format=json "$1" | $PY -c 'import json,sys; print(json.load(sys.stdin)["config"]["config"]["Labels"]["from"])'; }
"$KFC" build --progress=quiet --build-mode=lite -t files/seal:v1 "$F/seal" >/dev/null 2>"$T/err" &&
	"$KFC" build --progress=quiet --build-mode=lite -t files/docker:v1 "$F/docker" >/dev/null 2>>"$T/err" &&
	[ "$(label_of files/seal:v1)" = sealfile ] && [ "$(label_of files/docker:v1)" = dockerfile ] &&
	ok "kfc build takes the context's Sealfile before its Kubefile, its Dockerfile before its Containerfile" ||
	{ not_ok "the build's file"; sed 's/^/# /' "$T/err"; }
"$KFC" build --progress=quiet --build-mode=lite "$F/none" >/dev/null 2>"$T/err"
rc=$?
printf 'kfc build: no Kubefile in %s: looked for Sealfile, Kubefile, Dockerfile and Containerfile (as sealos build does); name one with -f\n' "$F/none" >"$T/want"
[ $rc -eq 2 ] && compare "$T/want" "$T/err" "a context with none of them: a usage error that names them" || not_ok "no file (exit $rc)"
(cd "$F" && "$KFLINT" -f gnu seal docker lower 2>&1) | sed 's/:.*//' | sort -u >"$T/got"
printf 'docker/Dockerfile\nlower/sub/kubefile\nseal/Kubefile\nseal/Sealfile\n' >"$T/want"
compare "$T/want" "$T/got" "kflint's folder walk: Sealfile, kubefile, and a folder's Dockerfile when it has no Kubefile"
"$KFLINT" "$F/none" >/dev/null 2>"$T/err"
rc=$?
printf 'kflint: no Kubefile found under %s (looked for Kubefile, Sealfile, *.kubefile, *.sealfile, and a folder'"'"'s Dockerfile or Containerfile)\n' "$F/none" >"$T/want"
[ $rc -eq 2 ] && compare "$T/want" "$T/err" "kflint on a folder without one says so (exit 2), not a silent success" || not_ok "kflint none (exit $rc)"

# ---- the flags buildah, docker and sealos users type ------------------------------------------
G=$T/flags
mkdir -p "$G"
printf 'FROM scratch\nARG FROMENV=default\nARG PAIR\nARG UNSET=kept\nLABEL a=kubefile fromenv=${FROMENV} pair=${PAIR} unset=${UNSET}\nENV E1=kubefile\nCMD ["x"]\n' >"$G/Kubefile"
FROMENV=environment "$KFC" build -q --build-mode=lite -t flags/one:v1 --label a=cli --label b=2 \
	--annotation org.example/note=hello --env E1=cli --env E2=two --env HOME --env KFC_NOT_SET_ANYWHERE \
	--build-arg FROMENV --build-arg PAIR=A=1,B=2 --build-arg KFC_UNSET_ARG \
	--iidfile "$T/iid" --metadata-file "$T/meta.json" "$G" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && [ ! -s "$T/err" ] && [ "$(cat "$T/iid")" = "$(cat "$T/out")" ] &&
	ok "-q: only the digest, on standard output; --iidfile holds it" || { not_ok "-q/--iidfile (exit $rc)"; sed 's/^/# /' "$T/err"; }
"$KFC" inspect --format=json flags/one:v1 >"$T/flags.json"
HOME_NOW=$HOME $PY - "$T/flags.json" "$T/meta.json" "$(cat "$T/out")" <<'EOF' && ok "--label, --annotation, --env (K=V and K from the environment), --build-arg NAME from the environment, A=1,B=2 one argument, --metadata-file" || not_ok "the flags"
import json, os, sys
j = json.load(open(sys.argv[1]))
meta = json.load(open(sys.argv[2]))
c = j["config"]["config"]
bad = []
def want(what, got, exp):
    if got != exp:
        bad.append("%s: got %r, want %r" % (what, got, exp))
want("labels", {k: v for k, v in c["Labels"].items() if k != "sealos.io.type"},
     {"a": "cli", "b": "2", "fromenv": "environment", "pair": "A=1,B=2", "unset": "kept"})
want("env", c["Env"], ["E1=cli", "E2=two", "HOME=" + os.environ["HOME_NOW"]])
want("annotation", j["manifest"]["annotations"].get("org.example/note"), "hello")
want("metadata digest", meta.get("containerimage.digest"), sys.argv[3])
want("metadata config", meta.get("containerimage.config.digest"), j["manifest"]["config"]["digest"])
want("metadata name", meta.get("image.name"), "flags/one:v1")
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
EOF
"$KFC" build --build-mode=lite --label =x "$G" >/dev/null 2>"$T/err"
rc=$?
printf 'kfc build: --label =x: expected KEY=VALUE\n' >"$T/want"
[ $rc -eq 2 ] && compare "$T/want" "$T/err" "--label without a key: a usage error" || not_ok "--label =x (exit $rc)"

# ---- the real contexts that build offline (tests/contexts, from cluster-image) ------------------
# Built as they are (--build-mode=lite: no network here, so no image is cached and a COPY registry the
# context lacks copies nothing); what sealos reads of each config is computed from the Kubefile by a
# reader of its own here (CMD's JSON array, ENV's K=V with quotes removed), not by kfc.
built=0 total=0
for d in "$KF_SRCDIR"/tests/contexts/*/; do
	n=$(basename "$d")
	total=$((total + 1))
	rm -rf "$T/c"
	cp -r "$d" "$T/c"
	if ! "$KFC" build --progress=quiet --build-mode=lite -t "ctx/$(echo "$n" | tr 'A-Z_.' 'a-z--'):v1" "$T/c" >/dev/null 2>"$T/err"; then
		echo "# $n: the build failed"; sed 's/^/#   /' "$T/err"
		continue
	fi
	"$KFC" inspect --format=json "ctx/$(echo "$n" | tr 'A-Z_.' 'a-z--'):v1" >"$T/c.json"
	if $PY - "$T/c/Kubefile" "$T/c.json" "$n" <<'EOF'; then
import json, re, shlex, sys
lines, logical = open(sys.argv[1]).read().split("\n"), []
cur = ""
for l in lines:                      # continuation lines joined, comments dropped
    if not cur and l.lstrip().startswith("#"):
        continue
    if l.endswith("\\"):
        cur += l[:-1]
        continue
    cur += l
    if cur.strip():
        logical.append(cur.strip())
    cur = ""
want_cmd, want_env = None, []
for l in logical:
    kw, _, rest = l.partition(" ")
    kw = kw.upper()
    if kw == "CMD":
        rest = rest.strip()
        want_cmd = json.loads(rest) if rest.startswith("[") else ["/bin/sh", "-c", rest]
    elif kw == "ENV":
        for word in shlex.split(rest):
            k, _, v = word.partition("=")
            want_env = [e for e in want_env if not e.startswith(k + "=")] + [k + "=" + v]
got = json.load(open(sys.argv[2]))
cfg = got["config"]["config"]
bad = []
if cfg.get("Cmd") != want_cmd:
    bad.append("Cmd: got %r, want %r" % (cfg.get("Cmd"), want_cmd))
if (cfg.get("Env") or []) != want_env:
    bad.append("Env: got %r, want %r" % (cfg.get("Env"), want_env))
lab = cfg.get("Labels", {}).get("sealos.io.type")
typ = got["extension"]["type"]
if (lab, typ) not in (("application", "app-installer"), ("rootfs", "kube-installer"), ("patch", "kube-installer")):
    bad.append("type: label %r, extension %r" % (lab, typ))
for b in bad:
    print("# %s: %s" % (sys.argv[3], b))
sys.exit(1 if bad else 0)
EOF
		built=$((built + 1))
	fi
done
[ "$built" = "$total" ] && [ "$total" -ge 16 ] &&
	ok "all $total real cluster-image contexts that need no download build, and their Cmd, Env and type are what sealos reads" ||
	not_ok "real contexts: $built of $total as expected"

finish
