# 10-shellcheck.sh - finding 10: kflint waited on ShellCheck without a
# limit, one process per command, so a large or hostile Kubefile held a
# pre-commit hook or a CI job for minutes (a 600 kB file of RUN lines: over
# a minute). Now what ShellCheck is given, how long and how large it runs
# are limited (docs/kflint.md, "ShellCheck"), every skip is an info KF401,
# and one shellcheck process checks all the commands of a Kubefile.
# Sourced by security.sh: uses $T, $KFLINT, ok, not_ok, compare.
S=$T/sc
mkdir -p "$S/.git" "$S/bin" "$S/tmp" "$S/xdg"
# sc_run CMD...: kflint's environment here: our fakes first in PATH, a
# private TMPDIR, no user settings; output in $S/out and $S/err, status in
# $rc, seconds taken in $secs
sc_run() {
	t0=$(date +%s)
	rc=0
	(cd "$S" && PATH="$S/bin:$PATH" TMPDIR="${SC_TMPDIR:-$S/tmp}" XDG_CONFIG_HOME="$S/xdg" timeout 120 "$@") \
		>"$S/out" 2>"$S/err" || rc=$?
	secs=$(($(date +%s) - t0))
}
# sc_tmp_clean NAME: kflint left nothing in its TMPDIR
sc_tmp_clean() {
	if [ -z "$(ls -A "$S/tmp")" ]; then ok "$1: the temporary files are removed"; else
		not_ok "$1: left in TMPDIR: $(ls -A "$S/tmp" | head -3 | tr '\n' ' ')"; rm -rf "${S:?}/tmp/"*; fi
}
# sc_fake BODY: bin/shellcheck is the sh script BODY
sc_fake() {
	printf '#!/bin/sh\n%s\n' "$1" >"$S/bin/shellcheck"
	chmod +x "$S/bin/shellcheck"
}
sc_is() { if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3 (got '$1', wanted '$2')"; fi; }

# ---- a 600 kB Kubefile of RUN lines, with the real ShellCheck ----------------
if command -v shellcheck >/dev/null 2>&1; then
	# a 20007-byte command, then 5300 clean commands of 107 bytes (108 with
	# the newline each gets): 606 fit in 65536 bytes
	awk 'BEGIN {
		print "FROM scratch"
		for (i = 0; i < 100; i++) x = x "x"
		s = ""; for (i = 0; i < 200; i++) s = s x
		print "RUN echo \"" s "\""
		for (i = 0; i < 5300; i++) print "RUN echo \"" x "\""
	}' >"$S/Kubefile"
	sc_is "$(($(wc -c <"$S/Kubefile") / 1000))" 613 "the large Kubefile is 613 kB"
	rm -f "$S/bin/shellcheck"
	sc_run "$KFLINT" -f gnu Kubefile
	cat >"$S/want" <<'EOW'
Kubefile:2:5: info: ShellCheck skipped this command: it is 20007 bytes, over the limit of 16384 (shellcheck-max-command-bytes) [KF401]
Kubefile:609:5: info: ShellCheck skipped this command and 4693 more after it: the file's commands pass the limit of 65536 bytes (shellcheck-max-file-bytes) [KF401]
EOW
	compare "$S/want" "$S/out" "a 600 kB Kubefile: the commands past the limits are skipped, each limit said once, in place"
	sc_is "$rc" 0 "a 600 kB Kubefile: exit 0 (the skips are info)"
	if [ "$secs" -le 15 ]; then ok "a 600 kB Kubefile is linted in ${secs} s"; else
		not_ok "a 600 kB Kubefile took ${secs} s"; fi
	sc_tmp_clean "a 600 kB Kubefile"
	# 3000 "&& a" (15 kB) take ShellCheck 0.9 tens of seconds and
	# gigabytes; with an address-space limit its runtime gives up early
	awk 'BEGIN { s = "a"; for (i = 0; i < 3000; i++) s = s " && a"; print "FROM scratch"; print "RUN " s }' \
		>"$S/and.kubefile"
	printf 'shellcheck-max-memory: 128\n' >"$S/.kflint.yaml"
	sc_run "$KFLINT" -f gnu and.kubefile
	printf 'and.kubefile:2:5: info: ShellCheck ran out of memory (shellcheck-max-memory: 128 MiB): the file'"'"'s commands are not checked [KF401]\n' >"$S/want"
	compare "$S/want" "$S/out" "the real ShellCheck stops at its memory limit"
	if [ "$secs" -le 15 ]; then ok "the real ShellCheck out of memory: ${secs} s"; else
		not_ok "the real ShellCheck out of memory took ${secs} s"; fi
	rm "$S/.kflint.yaml"
	sc_tmp_clean "the real ShellCheck out of memory"
fi

# ---- one shellcheck process per Kubefile, its findings mapped back -----------
# the fake logs its arguments, the mode of its folder and files and the
# first script, and reports findings in an order of its own: file 2 first,
# then two at one place of file 0, then a file it was not given
sc_fake "echo \"\$*\" >>'$S/log'
stat -c '%a' . 0 1 >>'$S/log'
cat 0 >>'$S/log'
cat <<'EOJ'
{\"comments\":[
{\"file\":\"2\",\"line\":1,\"endLine\":1,\"column\":6,\"endColumn\":8,\"level\":\"warning\",\"code\":2001,\"message\":\"third\"},
{\"file\":\"0\",\"line\":1,\"endLine\":1,\"column\":1,\"endColumn\":5,\"level\":\"info\",\"code\":2002,\"message\":\"first a\"},
{\"file\":\"0\",\"line\":1,\"endLine\":1,\"column\":1,\"endColumn\":5,\"level\":\"style\",\"code\":2003,\"message\":\"first b\"},
{\"file\":\"9\",\"line\":1,\"endLine\":1,\"column\":1,\"endColumn\":2,\"level\":\"error\",\"code\":2004,\"message\":\"not given\"}
]}
EOJ
exit 1"
printf 'FROM scratch\nRUN echo one\nRUN echo two\nRUN echo $x\n' >"$S/a.kubefile"
printf 'FROM scratch\nRUN true\nCMDS ["echo $(date)"]\n' >"$S/b.kubefile"
rm -f "$S/log"
sc_run "$KFLINT" -f gnu --failure-threshold=none a.kubefile b.kubefile
cat >"$S/want" <<'EOW'
a.kubefile:2:5: info: first a [SC2002]
a.kubefile:2:5: style: first b [SC2003]
a.kubefile:4:10: warning: third [SC2001]
b.kubefile:2:5: info: first a [SC2002]
b.kubefile:2:5: style: first b [SC2003]
EOW
compare "$S/want" "$S/out" "batched: each finding at its command, in ShellCheck's order within one"
cat >"$S/want" <<'EOW'
--format=json1 --shell=sh --exclude=SC2154 0 1 2
700
600
600
echo one
--format=json1 --shell=sh --exclude=SC2154 0 1
700
600
600
true
EOW
compare "$S/want" "$S/log" "batched: one shellcheck per Kubefile, its commands in files of a private folder"
sc_tmp_clean "batched"
# the child has only its three standard descriptors from kflint: the same
# set as when the test runs it directly
sc_fake "ls /proc/\$\$/fd >'$S/fds'
echo '{\"comments\":[]}'"
"$S/bin/shellcheck" </dev/null >/dev/null
sort -n "$S/fds" >"$S/fds.want"
sc_run "$KFLINT" -f gnu a.kubefile
sort -n "$S/fds" >"$S/fds.got"
compare "$S/fds.want" "$S/fds.got" "no descriptor of kflint leaks into shellcheck"

# ---- the time limit ---------------------------------------------------------
# a shellcheck that never ends, with a child of its own
sc_fake "sleep 1000 &
echo \$\$ \$! >'$S/pids'
wait"
printf 'shellcheck-timeout: 1\n' >"$S/.kflint.yaml"
rm -f "$S/pids"
sc_run "$KFLINT" -f gnu a.kubefile
printf 'a.kubefile:2:5: info: ShellCheck was stopped after 1 s (shellcheck-timeout): the file'"'"'s commands are not checked [KF401]\n' >"$S/want"
compare "$S/want" "$S/out" "a shellcheck that hangs is stopped at the time limit"
sc_is "$rc" 0 "a shellcheck that hangs: kflint exits 0"
if [ "$secs" -le 5 ]; then ok "a shellcheck that hangs: kflint ends in ${secs} s"; else
	not_ok "a shellcheck that hangs: kflint took ${secs} s"; fi
# (a process killed after its parent may stay a zombie of init for a while:
# that is not running)
alive=
for p in $(cat "$S/pids" 2>/dev/null); do
	state=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -c1)
	if [ -n "$state" ] && [ "$state" != Z ]; then alive="$alive $p"; kill "$p" 2>/dev/null; fi
done
if [ -s "$S/pids" ] && [ -z "$alive" ]; then ok "the hanging shellcheck and its child are gone"; else
	not_ok "left running:${alive:- (no pids written)}"; fi
sc_tmp_clean "a shellcheck that hangs"

# ---- the memory limit ---------------------------------------------------------
sc_fake "ulimit -v >'$S/ulimit'
echo '{\"comments\":[]}'"
printf 'shellcheck-max-memory: 128\n' >"$S/.kflint.yaml"
sc_run "$KFLINT" -f gnu a.kubefile
sc_is "$(cat "$S/ulimit")" 131072 "shellcheck-max-memory: 128 is shellcheck's address-space limit (KiB)"
rm "$S/.kflint.yaml"
sc_run "$KFLINT" -f gnu a.kubefile
sc_is "$(cat "$S/ulimit")" 1048576 "by default shellcheck may use 1 GiB of address space"
# GHC's runtime exits 251 when the heap cannot grow
sc_fake "exit 251"
sc_run "$KFLINT" -f gnu a.kubefile
printf 'a.kubefile:2:5: info: ShellCheck ran out of memory (shellcheck-max-memory: 1024 MiB): the file'"'"'s commands are not checked [KF401]\n' >"$S/want"
compare "$S/want" "$S/out" "a shellcheck out of memory is said, in place"
sc_tmp_clean "a shellcheck out of memory"

# ---- no temporary folder, no shellcheck -----------------------------------------
sc_fake "echo '{\"comments\":[]}'"
SC_TMPDIR=$S/missing sc_run "$KFLINT" -f gnu a.kubefile
printf 'a.kubefile:2:5: info: ShellCheck was not run: cannot make a temporary folder in %s: No such file or directory [KF401]\n' \
	"$S/missing" >"$S/want"
compare "$S/want" "$S/out" "no temporary folder: said, in place"
rm "$S/bin/shellcheck"
rc=0
(cd "$S" && PATH=/nonexistent TMPDIR="$S/missing" XDG_CONFIG_HOME="$S/xdg" "$KFLINT" -f gnu a.kubefile) \
	>"$S/out" 2>"$S/err" || rc=$?
sc_is "$rc:$(cat "$S/out" "$S/err")" "0:" "no shellcheck installed: nothing said, as before"

# ---- the number of commands, and the settings' checks --------------------------
sc_fake "echo \"\$*\" >>'$S/log'
echo '{\"comments\":[]}'"
printf 'shellcheck-max-commands: 2\nshellcheck-max-command-bytes: 7\n' >"$S/.kflint.yaml"
printf 'FROM scratch\nRUN echo one\nRUN true\nRUN echo $x\nRUN true\nRUN true\n' >"$S/c.kubefile"
rm -f "$S/log"
sc_run "$KFLINT" -f gnu c.kubefile
cat >"$S/want" <<'EOW'
c.kubefile:2:5: info: ShellCheck skipped this command: it is 8 bytes, over the limit of 7 (shellcheck-max-command-bytes) [KF401]
c.kubefile:5:5: info: ShellCheck skipped this command and 1 more after it: the file has more than 2 commands (shellcheck-max-commands) [KF401]
EOW
compare "$S/want" "$S/out" "shellcheck-max-commands and shellcheck-max-command-bytes"
sc_is "$(cat "$S/log")" "--format=json1 --shell=sh --exclude=SC2154 0 1" "only the commands within the limits are given"
printf 'shellcheck-timeout: 0\n' >"$S/.kflint.yaml"
sc_run "$KFLINT" -f gnu c.kubefile
sc_is "$rc:$(cat "$S/err")" "2:kflint: $S/.kflint.yaml:1:21: shellcheck-timeout must be a whole number from 1 to 86400" \
	"a limit cannot be turned off"
rm -f "$S/.kflint.yaml" "$S/bin/shellcheck"
