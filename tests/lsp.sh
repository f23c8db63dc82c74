#!/bin/sh
# The language server: scripted sessions (tests/golden/lsp/*.in) run by
# tests/lsp-driver.py against kfls, each compared with its .out: every
# message kfls sent, exactly. Regenerate with tests/regen.sh (or
# tests/lsp.sh --regen) and review the diff.
. "$(dirname "$0")/lib.sh"

KFLS=${KFLS:-$(dirname "$KFC")/kfls}
[ -x "$KFLS" ] || { echo "kfls not found (set KFLS)"; exit 99; }
command -v python3 >/dev/null 2>&1 || { echo "python3 not installed: skipped"; exit 77; }
regen=0
[ "${1:-}" = --regen ] && regen=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dir=$KF_TESTDATA/golden/lsp
for in in "$dir"/*.in; do
	base=$(basename "$in" .in)
	if ! python3 "$KF_TESTDATA/lsp-driver.py" "$KFLS" "$in" >"$tmp/$base.out" 2>"$tmp/$base.err"; then
		not_ok "lsp $base: the driver failed"
		sed 's/^/# /' "$tmp/$base.err" | head -20
		continue
	fi
	if [ $regen = 1 ]; then
		cp "$tmp/$base.out" "$dir/$base.out"
		continue
	fi
	compare "$dir/$base.out" "$tmp/$base.out" "lsp $base"
done

# docs/instructions.md is generated from the library's table
"$KFLS" --print-instruction-docs >"$tmp/instructions.md"
compare "$KF_SRCDIR/docs/instructions.md" "$tmp/instructions.md" "docs/instructions.md is kfls --print-instruction-docs"

# the version and a usage error
"$KFLS" --version >"$tmp/v" && grep -q '^kfls [0-9]' "$tmp/v" && ok "kfls --version" || not_ok "kfls --version"
"$KFLS" --bogus >/dev/null 2>&1
[ $? -eq 2 ] && ok "kfls: an unknown argument exits 2" || not_ok "kfls: an unknown argument exits 2"

# kfls and kflint give the same findings on the same file: both run
# ShellCheck when it is installed, and both follow .kflint.yaml's shellcheck
KFLINT=${KFLINT:-$(dirname "$KFC")/kflint}
if [ $regen = 0 ] && [ -x "$KFLINT" ]; then
	mkdir -p "$tmp/same/.git" "$tmp/same/cfg"
	printf 'FROM kubernetes\nAPP web local://web.yaml\nrun echo $HOME\nCMDS ["echo $1"]\nLAUNCH ["web"]\n' >"$tmp/same/Kubefile"
	: >"$tmp/same/web.yaml"
	same() { # same NAME: kfls's and kflint's (code, line, column) on $tmp/same/Kubefile
		python3 - "$KFLS" "$KFLINT" "$tmp/same" >"$tmp/same.out" 2>&1 <<'PY'
import json, os, subprocess, sys
kfls, kflint, d = sys.argv[1:4]
env = dict(os.environ, XDG_CONFIG_HOME=d + "/cfg", HOME=d)
p = subprocess.Popen([kfls], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
def send(o):
    b = json.dumps(o).encode(); p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(b) + b); p.stdin.flush()
def read():
    n = 0
    while True:
        l = p.stdout.readline()
        if l in (b"\r\n", b""):
            break
        if l.lower().startswith(b"content-length:"):
            n = int(l.split(b":")[1])
    return json.loads(p.stdout.read(n))
send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
read()
text = open(d + "/Kubefile").read()
send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": "file://" + d + "/Kubefile",
      "languageId": "kubefile", "version": 1, "text": text}}})
m = read()
while m.get("method") != "textDocument/publishDiagnostics":
    m = read()
got = [(x["code"], x["range"]["start"]["line"] + 1, x["range"]["start"]["character"] + 1) for x in m["params"]["diagnostics"]]
send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}); read(); send({"jsonrpc": "2.0", "method": "exit"}); p.wait()
r = subprocess.run([kflint, "-f", "json", d + "/Kubefile"], stdout=subprocess.PIPE, env=env)
want = [(x["code"], x["line"], x["column"]) for x in json.loads(r.stdout)]
print("kfls   ", got)
print("kflint ", want)
print("same" if got == want else "differ", "shellcheck" if any(c.startswith("SC") for c, _, _ in got) else "no-shellcheck")
PY
	}
	sc=no-shellcheck
	command -v shellcheck >/dev/null 2>&1 && sc=shellcheck
	same
	[ "$(tail -1 "$tmp/same.out")" = "same $sc" ] && ok "kfls and kflint: the same codes by default ($sc)" ||
		{ not_ok "kfls and kflint: the same codes by default ($sc)"; sed 's/^/# /' "$tmp/same.out"; }
	printf 'shellcheck: false\n' >"$tmp/same/.kflint.yaml"
	same
	[ "$(tail -1 "$tmp/same.out")" = "same no-shellcheck" ] && ok "kfls and kflint: shellcheck: false in .kflint.yaml turns it off for both" ||
		{ not_ok "kfls and kflint: .kflint.yaml's shellcheck: false"; sed 's/^/# /' "$tmp/same.out"; }
fi

# kfls keeps what ShellCheck said of each command: an edit elsewhere runs no
# shellcheck, an edit in one command gives shellcheck that command only (a
# stand-in shellcheck logs how many files it is given)
if [ $regen = 0 ]; then
	mkdir -p "$tmp/cache/bin" "$tmp/cache/.git"
	cat >"$tmp/cache/bin/shellcheck" <<'SH'
#!/bin/sh
n=0
for a in "$@"; do case $a in -*) ;; *) n=$((n + 1)) ;; esac; done
echo "$n" >>"$KF_SC_LOG"
echo '{"comments":[]}'
SH
	chmod +x "$tmp/cache/bin/shellcheck"
	KF_SC_LOG=$tmp/cache/log PATH=$tmp/cache/bin:$PATH python3 - "$KFLS" "$tmp/cache" <<'PY'
import json, os, subprocess, sys
kfls, d = sys.argv[1:3]
p = subprocess.Popen([kfls], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     env=dict(os.environ, XDG_CONFIG_HOME=d, HOME=d))
def send(o):
    b = json.dumps(o).encode(); p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(b) + b); p.stdin.flush()
def read():
    n = 0
    while True:
        l = p.stdout.readline()
        if l in (b"\r\n", b""):
            break
        if l.lower().startswith(b"content-length:"):
            n = int(l.split(b":")[1])
    return json.loads(p.stdout.read(n))
def change(v, line, col, text):
    send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": u, "version": v},
          "contentChanges": [{"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col}},
                              "text": text}]}})
    while read().get("method") != "textDocument/publishDiagnostics":
        pass
send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
read()
u = "file://" + d + "/Kubefile"
send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": u, "languageId": "kubefile",
      "version": 1, "text": "FROM scratch\nRUN echo a\nRUN echo b\nLABEL x=y\n"}}})
while read().get("method") != "textDocument/publishDiagnostics":
    pass
change(2, 3, 9, "z")   # LABEL x=yz: no command changed
change(3, 1, 10, "a")  # RUN echo aa: one command changed
change(4, 1, 10, "")   # nothing changed
send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}); read(); send({"jsonrpc": "2.0", "method": "exit"}); p.wait()
PY
	printf '2\n1\n' >"$tmp/cache/want"
	compare "$tmp/cache/want" "$tmp/cache/log" "kfls: ShellCheck runs again only on the commands that changed"
fi

# a large document and a long editing session: no growth of the document list
# and answers stay exact (RSS is the bench's business)
if [ $regen = 0 ]; then
	python3 - "$KFLS" >"$tmp/long.out" <<'PY'
import json, subprocess, sys, threading
p = subprocess.Popen([sys.argv[1]], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
# the input is written by a thread while the output is read, as an editor
# does: kfls's answers (180 MB here) do not wait for the input to end
frames = []
def send(o):
    b = json.dumps(o).encode(); frames.append(b"Content-Length: %d\r\n\r\n" % len(b) + b)
send({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"capabilities": {}}})
text = "FROM scratch\n" + "".join("APP a%d local://x%d\n" % (i, i) for i in range(3000))
u = "file:///nonexistent/Kubefile"
send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": u, "version": 1, "text": text}}})
for v in range(2, 302):
    send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": u, "version": v},
          "contentChanges": [{"range": {"start": {"line": 1, "character": 5}, "end": {"line": 1, "character": 5}}, "text": "b"}]}})
send({"jsonrpc": "2.0", "id": 1, "method": "textDocument/hover", "params": {"textDocument": {"uri": u}, "position": {"line": 1, "character": 4}}})
send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}); send({"jsonrpc": "2.0", "method": "exit"})
def write():
    p.stdin.write(b"".join(frames)); p.stdin.close()
threading.Thread(target=write).start()
data = p.stdout.read(); rc = p.wait()
msgs, i = [], 0
while i < len(data):
    j = data.index(b"\r\n\r\n", i); n = int(data[i:j].split(b":")[1]); msgs.append(json.loads(data[j + 4:j + 4 + n])); i = j + 4 + n
pub = [m for m in msgs if m.get("method") == "textDocument/publishDiagnostics"]
hover = [m for m in msgs if m.get("id") == 1][0]
print(len(pub), pub[-1]["params"]["version"], hover["result"]["range"], rc)
PY
	echo "301 301 {'start': {'line': 1, 'character': 4}, 'end': {'line': 1, 'character': 306}} 0" >"$tmp/long.exp"
	compare "$tmp/long.exp" "$tmp/long.out" "lsp: 300 edits to a 3000-line document, then an exact answer"
fi
finish
