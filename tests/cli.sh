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
printf "kfc: unknown command 'lnit' (did you mean 'lint'?)\n" >want
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

# ---- every command helps the same way --------------------------------------------
KFLINT=$(dirname "$KFC")/kflint
# the commands and subcommands, as kfc --help and kfc manifest --help list them
commands=$("$KFC" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
case " $(echo $commands) " in
*" parse fmt lint "*" help completion "*) ok "kfc --help lists the commands" ;;
*) not_ok "kfc --help lists: $commands" ;;
esac
all=$(for c in $commands; do
	echo "$c"
	[ "$c" = manifest ] && "$KFC" manifest --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/manifest \1/p'
done)
# a store with an image, and blobs no name needs (a second build under the same name)
export KFC_STORE="$tmp/store"
if "$KFC" images >/dev/null 2>&1 || [ "$?" -ne 2 ]; then has_store=1; else has_store=; fi
mkdir -p ctx && printf 'FROM scratch\nLABEL n=1\n' >ctx/Kubefile
if "$KFC" build -q -t cli/app:v1 ctx >/dev/null 2>&1; then
	printf 'FROM scratch\nLABEL n=2\n' >ctx/Kubefile
	"$KFC" build -q -t cli/app:v1 ctx >/dev/null 2>&1
fi
store_list() { if [ -d "$KFC_STORE" ]; then (cd "$KFC_STORE" && find . -printf '%p %s %T@\n' | sort); fi; }
store_list >store.before
IFS='
'
for c in $all; do
	unset IFS
	# shellcheck disable=SC2086
	set -- $c
	for h in --help -h; do
		rc=0
		"$KFC" "$@" $h >out 2>err || rc=$?
		if [ $rc -eq 0 ] && head -n 1 out | grep -q "^usage: kfc $c" && [ ! -s err ]; then
			ok "kfc $c $h: usage on stdout, exit 0"
		else
			not_ok "kfc $c $h: exit $rc, stdout '$(head -n 1 out)', stderr '$(head -n 2 err)'"
		fi
		store_list >store.after
		cmp -s store.before store.after && ok "kfc $c $h: the store is unchanged" || not_ok "kfc $c $h changed the store"
	done
	"$KFC" help "$@" >help.out 2>&1
	"$KFC" "$@" --help >cmd.out 2>&1
	compare cmd.out help.out "kfc help $c is kfc $c --help"
	rc=0
	"$KFC" "$@" --bogus-option >out 2>err || rc=$?
	printf "kfc %s: unrecognized option '--bogus-option'\nTry 'kfc %s --help'.\n" "$c" "$c" >want
	if [ $rc -eq 2 ] && [ ! -s out ]; then compare want err "kfc $c --bogus-option: the two GNU lines"; else
		not_ok "kfc $c --bogus-option: exit $rc"; fi
	IFS='
'
done
unset IFS
[ -n "$has_store" ] && [ -s store.before ] && ok "the store had files to keep" || ok "the store # SKIP no build layer"

expect_run "kfc --help" 0 "$KFC" --help
"$KFC" help >help.out
compare out help.out "kfc help is kfc --help"
expect_run "kfc help of an unknown command" 2 "$KFC" help biuld
printf "kfc: unknown command 'biuld' (did you mean 'build'?)\nTry 'kfc --help'.\n" >want
grep -q '^  build ' out && compare want err "kfc help biuld: did you mean" || ok "kfc help biuld # SKIP no build layer"
expect_run "kfc --bogus" 2 "$KFC" --bogus
printf "kfc: unrecognized option '--bogus'\nTry 'kfc --help'.\n" >want
compare want err "kfc --bogus: the two GNU lines"
expect_run "a mistyped option" 2 "$KFC" fmt --chekc x
printf "kfc fmt: unrecognized option '--chekc' (did you mean '--check'?)\nTry 'kfc fmt --help'.\n" >want
compare want err "a mistyped option: did you mean"
expect_run "a missing argument" 2 "$KFC" parse --format
printf "kfc parse: option '--format' requires an argument\nTry 'kfc parse --help'.\n" >want
compare want err "a missing argument: the GNU lines"
expect_run "an argument to a flag" 2 "$KFC" fmt --check=yes x
printf "kfc fmt: option '--check' doesn't allow an argument\nTry 'kfc fmt --help'.\n" >want
compare want err "an argument to a flag: the GNU lines"
expect_run "an unknown short option" 2 "$KFC" fmt -x x
printf "kfc fmt: invalid option -- 'x'\nTry 'kfc fmt --help'.\n" >want
compare want err "an unknown short option: the GNU lines"

# --version names the licence, as GNU tools do
for p in "$KFC" "$KFLINT"; do
	"$p" --version >out 2>err
	n=$(basename "$p")
	{ printf '%s %s\n' "$n" "$(sed -n 's/^AC_INIT(\[kubefile\], *\[\([^]]*\)\].*/\1/p' "$KF_SRCDIR/configure.ac")"
	  printf 'License Apache-2.0: Apache License, Version 2.0 <https://www.apache.org/licenses/LICENSE-2.0>.\n'
	  printf 'This is free software: you are free to change and redistribute it.\n'
	  printf 'There is NO WARRANTY, to the extent permitted by law.\n'; } >want
	compare want out "$n --version: the version and the licence"
done
"$KFLINT" -V >out 2>&1
compare want out "kflint -V is --version"

# kflint's hadolint spellings
mkdir -p hl && printf 'FROM docker.io/library/alpine:3.19\n' >hl/Kubefile
expect_run "kflint --trusted-registry" 1 "$KFLINT" --trusted-registry quay.io --trusted-registry ghcr.io -f gnu hl/Kubefile
grep -q 'KF221' out && ok "--trusted-registry: an image of another registry is reported" || not_ok "--trusted-registry: $(cat out)"
expect_run "kflint --trusted-registry docker.io" 0 "$KFLINT" --trusted-registry docker.io -f gnu hl/Kubefile
expect_run "kflint --no-fail" 0 "$KFLINT" --no-fail --trusted-registry quay.io -f gnu hl/Kubefile
grep -q 'KF221' out && ok "--no-fail: still reported" || not_ok "--no-fail: $(cat out)"
expect_run "kflint -t error" 0 "$KFLINT" -t error --trusted-registry quay.io hl/Kubefile
printf 'trusted-registries: [quay.io]\n' >hl.yaml
expect_run "kflint -c FILE" 1 "$KFLINT" -c hl.yaml -f gnu hl/Kubefile
grep -q 'KF221' out && ok "-c: the settings file is read" || not_ok "-c: $(cat out)"
expect_run "kflint --no-color" 1 "$KFLINT" --no-color --trusted-registry quay.io hl/Kubefile
if grep -q "$(printf '\033')" out; then not_ok "--no-color coloured"; else ok "--no-color: no colour"; fi
expect_run "kflint --no-colour" 2 "$KFLINT" --no-colour hl/Kubefile
printf "kflint: unrecognized option '--no-colour' (did you mean '--no-color'?)\nTry 'kflint --help'.\n" >want
compare want err "kflint: did you mean"
expect_run "kflint without a file" 2 "$KFLINT"
printf "kflint: no input file (use - for standard input)\nTry 'kflint --help'.\n" >want
compare want err "kflint without a file: the two lines"

# the store's commands, with the build layer
if [ -n "$has_store" ]; then
	expect_run "kfc rmi -f of a name not there" 0 "$KFC" rmi -f cli/none:v9
	[ -s err ] && not_ok "kfc rmi -f: $(cat err)" || ok "kfc rmi -f: no message"
	expect_run "kfc rmi of a name not there" 1 "$KFC" rmi cli/none:v9
	expect_run "kfc rmi without a name" 2 "$KFC" rmi
	printf "kfc rmi: no image named\nTry 'kfc rmi --help'.\n" >want
	compare want err "kfc rmi without a name: the two lines"
	expect_run "kfc plan -t" 2 "$KFC" plan -t x:v1 ctx
	printf "kfc plan: invalid option -- 't'\nTry 'kfc plan --help'.\n" >want
	compare want err "kfc plan -t: refused"
	expect_run "kfc plan -o" 2 "$KFC" plan --output=oci:out ctx
	printf "kfc plan: unrecognized option '--output=oci:out'\nTry 'kfc plan --help'.\n" >want
	compare want err "kfc plan --output: refused"
	store_list >store.before
	expect_run "kfc build -o to a missing folder" 2 "$KFC" build -o oci-archive:nope/x.tar ctx
	printf "kfc build: -o oci-archive:nope/x.tar: nope: No such file or directory\n" >want
	compare want err "kfc build -o to a missing folder: named before the build"
	store_list >store.after
	cmp -s store.before store.after && ok "kfc build -o to a missing folder: nothing built" || not_ok "kfc build -o: the store changed"
	: >afile
	expect_run "kfc build -o oci:FILE" 2 "$KFC" build -o oci:afile:v1 ctx
	printf "kfc build: -o oci:afile:v1: not a folder\n" >want
	compare want err "kfc build -o oci:FILE: refused before the build"
	expect_run "kfc build -o oci-archive:DIR" 2 "$KFC" build -o oci-archive:ctx ctx
	printf "kfc build: -o oci-archive:ctx: a folder, not a file\n" >want
	compare want err "kfc build -o oci-archive:DIR: refused before the build"
	expect_run "kfc images --format=text" 0 "$KFC" images --format=text
	expect_run "kfc inspect without a name" 2 "$KFC" inspect
fi
unset KFC_STORE

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
