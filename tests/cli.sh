#!/bin/sh
# kfc's command line: exit statuses, standard input, output formats.
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 99

# expect_run NAME STATUS CMD...: runs CMD, checks its exit status
expect_run() {
	name=$1 want=$2
	shift 2
	rc=0
	"$@" >out 2>err || rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$name (exit $rc)"; else not_ok "$name: exit $rc, wanted $want"; sed 's/^/# /' err; fi
}

expect_run "the example parses" 0 "$KFC" parse "$KF_SRCDIR/examples/hello/Kubefile"
[ -s out ] || [ -s err ] && not_ok "the example: no output wanted" || ok "the example: no output"

printf 'FROM\n' >in
expect_run "stdin with --stdin-filename" 1 sh -c "\"$KFC\" parse --stdin-filename=Kubefile - <in"
printf 'Kubefile:1:5: error: expected an image name after FROM [KF003]\n  FROM\n      ^\n' >want
compare want err "stdin diagnostics name the file"

printf 'FROM scratch\nFORM x\n' >Kubefile
expect_run "--format=json" 1 "$KFC" parse --format=json Kubefile
cat >want <<'EOJ'
[
  {
    "file": "Kubefile",
    "line": 2,
    "column": 1,
    "endLine": 2,
    "endColumn": 5,
    "level": "error",
    "code": "KF002",
    "message": "unknown instruction 'FORM' (did you mean FROM?)",
    "fix": {
      "title": "replace with the instruction",
      "line": 2,
      "column": 1,
      "endLine": 2,
      "endColumn": 5,
      "replacement": "FROM"
    }
  }
]
EOJ
compare want out "--format=json output"
if command -v python3 >/dev/null 2>&1; then
	if python3 -m json.tool out >/dev/null 2>&1; then ok "--format=json is JSON"; else not_ok "--format=json is not JSON"; fi
	"$KFC" parse --dump=json Kubefile >ast.json 2>/dev/null
	if python3 -c 'import json,sys; d=json.load(open("ast.json")); sys.exit(0 if [i["kind"] for i in d["instructions"]]==["FROM","error"] else 1)'; then
		ok "--dump=json is JSON with the instructions"
	else
		not_ok "--dump=json"
	fi
fi

expect_run "a missing file" 2 "$KFC" parse nope
printf 'kfc parse: nope: No such file or directory\n' >want
compare want err "a missing file is named"
expect_run "a good and a bad file" 1 "$KFC" parse "$KF_SRCDIR/examples/hello/Kubefile" Kubefile
expect_run "no file" 2 "$KFC" parse
expect_run "an unknown dump format" 2 "$KFC" parse --dump=yaml Kubefile
expect_run "an unknown option" 2 "$KFC" parse --bogus Kubefile
expect_run "an unknown command" 2 "$KFC" frobnicate
head -n 1 err >first
printf "kfc: unknown command 'frobnicate'\n" >want
compare want first "an unknown command is named"
expect_run "a mistyped command" 2 "$KFC" lnit
head -n 1 err >first
printf "kfc: unknown command 'lnit' (did you mean lint?)\n" >want
compare want first "a mistyped command: did you mean"
expect_run "--version" 0 "$KFC" --version
expect_run "--color=always" 1 "$KFC" parse --color=always Kubefile
if grep -q "$(printf '\033')\\[" err; then ok "--color=always colours"; else not_ok "--color=always has no colour"; fi
expect_run "a directory" 2 "$KFC" parse .
# .kflint.yaml: a key spelled as hadolint spells it, or mistyped, gets a suggestion
mkdir cfg && printf 'FROM scratch\n' >cfg/Kubefile
printf 'trustedRegistries: [docker.io]\n' >cfg/.kflint.yaml
expect_run "a hadolint key in .kflint.yaml" 2 "$KFC" lint cfg/Kubefile
printf "kfc lint: $tmp/cfg/.kflint.yaml:1:1: unknown key 'trustedRegistries' (did you mean 'trusted-registries'?)\n" >want
compare want err "a hadolint key: did you mean"
printf 'failure_threshold: error\n' >cfg/.kflint.yaml
expect_run "a key with _" 2 "$KFC" lint cfg/Kubefile
printf "kfc lint: $tmp/cfg/.kflint.yaml:1:1: unknown key 'failure_threshold' (did you mean 'failure-threshold'?)\n" >want
compare want err "a key with _: did you mean"
printf 'fmt:\n  indnet: 2\n' >cfg/.kflint.yaml
expect_run "a mistyped fmt key" 2 "$KFC" lint cfg/Kubefile
printf "kfc lint: $tmp/cfg/.kflint.yaml:2:3: unknown key fmt.indnet (did you mean fmt.indent?)\n" >want
compare want err "a mistyped fmt key: did you mean"

if [ -w /dev/full ]; then
	i=0
	while [ $i -lt 200 ]; do echo "LABEL key$i=value$i"; i=$((i + 1)); done >big.kubefile
	expect_run "a dump to a full disk" 2 sh -c "\"$KFC\" parse --dump=json big.kubefile >/dev/full"
	printf 'kfc: write error: No space left on device\n' >want
	compare want err "a dump to a full disk: the write error is named"
else
	ok "a dump to a full disk # SKIP no /dev/full"
fi
finish
