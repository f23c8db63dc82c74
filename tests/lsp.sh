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
