#!/bin/sh
# action.yml, the composite GitHub Action: its shape (a composite action whose
# run steps name their shell, whose expressions name inputs and steps that
# exist), then its own scripts run by bash as the runner would run them, with
# the runner's variables and files: the cache key, a cache hit that skips
# apt-get and the build, and the lint step in the github and sarif formats.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 && python3 -c 'import yaml' 2>/dev/null ||
	{ echo "python3 with yaml not installed: skipped"; exit 77; }
command -v bash >/dev/null 2>&1 || { echo "bash not installed: skipped"; exit 77; }
KFLINT=${KFLINT:-$(dirname "$KFC")/kflint}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# the steps' scripts and env, as files: step-ID.sh and step-ID.env (NAME=VALUE
# lines, with the ${{ }} expressions left for the test to fill)
if python3 - "$KF_SRCDIR/action.yml" "$T" >"$T/shape" 2>&1 <<'EOP'; then ok "action.yml is a composite action whose expressions name what exists"; else not_ok "action.yml's shape"; sed 's/^/# /' "$T/shape"; fi
import re, sys, yaml
a = yaml.safe_load(open(sys.argv[1]))
out = sys.argv[2]
assert a["runs"]["using"] == "composite", "not composite"
inputs = set(a["inputs"])
assert {"path", "format", "config", "failure-threshold", "sarif-file", "upload-sarif"} <= inputs, inputs
ids = set()
for i, s in enumerate(a["runs"]["steps"]):
    assert ("run" in s) != ("uses" in s), f"step {i}: run or uses"
    if "run" in s:
        assert s.get("shell") == "bash", f"step {i}: no shell"
    text = yaml.safe_dump(s)
    for name in re.findall(r"inputs\.([A-Za-z0-9_-]+)", text):
        assert name in inputs, f"step {i}: no input {name}"
    for name in re.findall(r"steps\.([A-Za-z0-9_-]+)\.", text):
        assert name in ids, f"step {i}: no earlier step {name}"
    if "id" in s:
        ids.add(s["id"])
        if "run" in s:
            open(f"{out}/{s['id']}.sh", "w").write(s["run"])
            open(f"{out}/{s['id']}.env", "w").write("".join(f"{k}={v}\n" for k, v in s.get("env", {}).items()))
    if s.get("name") == "Build kflint":
        open(f"{out}/build.sh", "w").write(s["run"])
for o in a["outputs"].values():
    for name in re.findall(r"steps\.([A-Za-z0-9_-]+)\.", o["value"]):
        assert name in ids, f"output names no step {name}"
for u in [s["uses"] for s in a["runs"]["steps"] if "uses" in s]:
    assert re.fullmatch(r"(actions/cache|github/codeql-action/upload-sarif)@v\d+", u), u
EOP

# the cache key: the runner's OS, architecture and image, and the sources' hash
: >"$T/out"
(cd "$T" && GITHUB_ACTION_PATH=$KF_SRCDIR GITHUB_OUTPUT=$T/out RUNNER_OS=Linux RUNNER_ARCH=X64 ImageOS=ubuntu24 \
	RUNNER_TEMP=$T/tmp bash -e key.sh) >"$T/log" 2>&1
if grep -Eqx 'key=kflint-Linux-X64-ubuntu24-[0-9a-f]{32}' "$T/out" && grep -qx "dir=$T/tmp/kflint-bin" "$T/out"; then
	ok "the cache key names the runner and the sources' hash"
else
	not_ok "cache key"; sed 's/^/# /' "$T/out" "$T/log"
fi

# a cache hit whose kflint finds its libraries: no apt-get, no build, on the PATH
mkdir -p "$T/bin" "$T/fake"
cp "$KFLINT" "$T/bin/kflint"
printf '#!/bin/sh\necho "$0 $*" >>%s/called\nexit 1\n' "$T" >"$T/fake/apt-get"
cp "$T/fake/apt-get" "$T/fake/sudo"
chmod +x "$T/fake/apt-get" "$T/fake/sudo"
: >"$T/path"
(cd "$T" && PATH=$T/fake:$PATH GITHUB_PATH=$T/path KFLINT_BIN=$T/bin KFLINT_CACHED=true bash -e build.sh) >"$T/log" 2>&1
if [ ! -e "$T/called" ] && grep -qx "$T/bin" "$T/path" && grep -q '^kflint from the cache$' "$T/log"; then
	ok "a cached kflint runs with no apt-get and no build, and goes on the PATH"
else
	not_ok "cache hit"; sed 's/^/# /' "$T/log" "$T/called" 2>/dev/null
fi

# the lint step: run from a workspace with one bad Kubefile
mkdir -p "$T/ws/app"
printf 'FROM scratch\nAPP web web.yaml\nLAUNCH web\n' >"$T/ws/app/Kubefile"
lint() { # lint FORMAT THRESHOLD [PATH]: lint.sh's exit status in $rc, stdout in $T/stdout
	: >"$T/out"
	rc=0
	(cd "$T/ws" && GITHUB_OUTPUT=$T/out KFLINT=$KFLINT KFLINT_PATHS=${3:-.} KFLINT_FORMAT=$1 KFLINT_CONFIG='' \
		KFLINT_THRESHOLD=$2 KFLINT_DIALECT='' KFLINT_SARIF=kflint.sarif bash "$T/lint.sh") >"$T/stdout" 2>"$T/stderr" || rc=$?
}
lint github ''
want="app/Kubefile,line=2,col=9,endLine=2,endColumn=17,title=KF111::source 'web.yaml' has no scheme"
if [ $rc -eq 1 ] && grep -q "^::error file=\(\./\)\{0,1\}$want" "$T/stdout" && grep -qx 'status=1' "$T/out"; then
	ok "format github: an annotation per finding, the step fails with status 1"
else
	not_ok "format github (exit $rc)"; sed 's/^/# /' "$T/stdout" "$T/stderr" "$T/out"
fi
lint github none 'app/Kubefile'
if [ $rc -eq 0 ] && grep -q "^::error file=$want" "$T/stdout" && grep -qx 'status=0' "$T/out"; then
	ok "failure-threshold none: the annotations, and the step passes"
else
	not_ok "threshold none (exit $rc)"; sed 's/^/# /' "$T/stdout" "$T/stderr" "$T/out"
fi
lint sarif ''
if [ $rc -eq 0 ] && [ ! -s "$T/stdout" ] && grep -qx 'status=1' "$T/out" && grep -qx 'sarif-file=kflint.sarif' "$T/out" &&
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["version"]=="2.1.0"; r=d["runs"][0]["results"]; assert r[0]["ruleId"]=="KF111", r' \
		"$T/ws/kflint.sarif" 2>"$T/stderr"; then
	ok "format sarif: the report in sarif-file, status 1 kept for the last step"
else
	not_ok "format sarif (exit $rc)"; sed 's/^/# /' "$T/stdout" "$T/stderr" "$T/out"
fi
lint checkstyle ''
if [ $rc -eq 2 ] && grep -qx "::error title=kflint action::format must be github or sarif, not 'checkstyle'" "$T/stdout"; then
	ok "another format is refused with an annotation"
else
	not_ok "format checkstyle (exit $rc)"; sed 's/^/# /' "$T/stdout" "$T/stderr"
fi
finish
