# 12-kfls.sh - kfls's framing and dispatch (docs/kfls.md, "Framing"):
# after a frame with a bad header block the next valid request is
# answered, a declared length beyond 64 MiB is neither waited for nor
# allocated, memory stays bounded whatever the input, and "params": null
# is no params, for every method. Each session runs through
# tests/lsp-driver.py (its steps: a JSON line is a request that waits for
# its answer, raw "..." bytes as they are); the initialize result is left
# out of the comparison. The probe body {"id":9,"method":"nosuch"} would
# be answered -32601 if kfls ever took it for a message.

k12=$T/kfls12
mkdir -p "$k12/ctx"
k12_init='{"id":1,"method":"initialize","params":{"capabilities":{}}}'
k12_probe='{\"id\":9,\"method\":\"nosuch\"}' # 26 bytes, as a driver string
k12_end='{"id":2,"method":"shutdown"}
{"method":"exit"}'
k12_bye='{"id": 2, "jsonrpc": "2.0", "result": null}
exit status 0'
k12_err() { printf '{"error": {"code": -32700, "message": "%s"}, "id": null, "jsonrpc": "2.0"}' "$1"; }

# k12_case NAME EXPECTED: runs the session on standard input and compares
# every message kfls sent (and its exit status) with EXPECTED
k12_case() {
	cat >"$k12/$1.in"
	printf '%s\n' "$2" >"$k12/$1.exp"
	python3 "$KF_TESTDATA/lsp-driver.py" "$KFLS" "$k12/$1.in" 2>&1 |
		grep -v '^{"id": 1, "jsonrpc": "2.0", "result": {"capabilities"' >"$k12/$1.out"
	compare "$k12/$1.exp" "$k12/$1.out" "kfls framing: $1"
}

if ! command -v python3 >/dev/null 2>&1; then
	printf '# 12-kfls.sh: python3 not installed, skipped\n'
else

# a Content-Length that is not a number, with a body: the body is skipped
# up to the next Content-Length, and the next request is answered
k12_case length-not-a-number "$(k12_err 'missing or invalid Content-Length')
$k12_bye" <<S
$k12_init
raw "Content-Length: abc\r\n\r\n$k12_probe"
$k12_end
S
k12_case length-negative "$(k12_err 'missing or invalid Content-Length')
$k12_bye" <<S
$k12_init
raw "Content-Length: -5\r\n\r\n$k12_probe"
$k12_end
S
# beyond 64 MiB: refused at once, not waited for; an overflowing number too
k12_case length-too-large "$(k12_err 'message too large')
$(k12_err 'message too large')
$(k12_err 'message too large')
$k12_bye" <<S
$k12_init
raw "Content-Length: 67108865\r\n\r\n$k12_probe"
raw "Content-Length: 18446744073709551617\r\n\r\n$k12_probe"
raw "content-length:  99999999999999999999999999999999999999\t\r\n\r\n$k12_probe"
$k12_end
S
k12_case length-missing "$(k12_err 'missing or invalid Content-Length')
$k12_bye" <<S
$k12_init
raw "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n$k12_probe"
$k12_end
S
# a header without the empty line after it: its body is a line that is not
# a header, or runs into its Content-Length; the next header is found in it
k12_case no-separator "$(k12_err 'invalid header line')
$(k12_err 'missing or invalid Content-Length')
$k12_bye" <<S
$k12_init
raw "Content-Length: 26\r\n$k12_probe"
raw "Content-Length: 26$k12_probe"
$k12_end
S
# several Content-Length lines, equal or not: the frame is refused whole
# (no line of it starts a frame), whatever their number
many=$(i=0; while [ $i -lt 1000 ]; do printf 'Content-Length: 26\\r\\n'; i=$((i + 1)); done)
k12_case many-lengths "$(k12_err 'more than one Content-Length')
$(k12_err 'more than one Content-Length')
$k12_bye" <<S
$k12_init
raw "Content-Length: 5\r\nContent-Length: 26\r\n\r\n$k12_probe"
raw "$many\r\n$k12_probe"
$k12_end
S
# charsets: utf-8 (or utf8, any case, quoted) and none are read; others are
# refused with their body
k12_case charsets "{\"error\": {\"code\": -32601, \"message\": \"method not found\"}, \"id\": 9, \"jsonrpc\": \"2.0\"}
{\"error\": {\"code\": -32601, \"message\": \"method not found\"}, \"id\": 9, \"jsonrpc\": \"2.0\"}
$(k12_err 'unsupported charset')
$(k12_err 'unsupported charset')
$k12_bye" <<S
$k12_init
raw "Content-Type: application/vscode-jsonrpc; charset=utf8\r\nContent-Length: 26\r\n\r\n$k12_probe"
raw "Content-Length: 26\r\ncontent-type: application/json ; CHARSET=\"UTF-8\"\r\n\r\n$k12_probe"
raw "Content-Type: application/vscode-jsonrpc; charset=latin1\r\nContent-Length: 26\r\n\r\n$k12_probe"
raw "Content-Length: 26\r\nContent-Type: application/json; charset=utf-16\r\n\r\n$k12_probe"
$k12_end
S
# a header line of 1 MB without a line break: one error, bounded (the
# search for the next frame runs through it)
mb=$(head -c 1048576 /dev/zero | tr '\0' x)
k12_case long-header-line "$(k12_err 'header line too long')
$(k12_err 'header line too long')
$k12_bye" <<S
$k12_init
raw "$mb"
raw "Content-Length: 26\r\nX-Pad: $mb\r\n\r\n$k12_probe"
$k12_end
S
# the text Content-Length: inside a skipped body starts a block that is
# refused too; the search goes on to the real header
k12_case length-in-skipped-body "$(k12_err 'missing or invalid Content-Length')
$(k12_err 'missing or invalid Content-Length')
$k12_bye" <<S
$k12_init
raw "Content-Length: x\r\n\r\n{\"id\":9,\"method\":\"Content-Length: 26\"}"
$k12_end
S
# the end of input inside a body or a header: one error, status 1
k12_case eof-in-body "$(k12_err 'input ended inside a message')
exit status 1" <<S
$k12_init
raw "Content-Length: 100\r\n\r\n$k12_probe"
close
S
# no input at all (fuzz_rpc's first finding: UBSan saw an offset added
# to the null buffer before anything was read): no message (the driver
# prints an empty line for none), status 1
k12_case empty-input "
exit status 1" <<S
close
S
k12_case eof-in-header "$(k12_err 'input ended inside a header')
exit status 1" <<S
$k12_init
raw "Content-Length: 26\r\nContent-Type: a"
close
S

# "params": null is no params, for every method: initialize, a feature
# request, a notification, shutdown and exit
k12_case params-null '{"error": {"code": -32602, "message": "missing textDocument.uri"}, "id": 3, "jsonrpc": "2.0"}
{"id": 4, "jsonrpc": "2.0", "result": null}
exit status 0' <<'S'
{"id":1,"method":"initialize","params":null}
{"method":"initialized","params":null}
{"method":"workspace/didChangeConfiguration","params":null}
{"id":3,"method":"textDocument/hover","params":null}
{"id":4,"method":"shutdown","params":null}
{"method":"exit","params":null}
S

# memory: 256 MiB of junk after a too-large Content-Length, then a header
# line of 256 MiB, then a request: answered, and kfls's peak RSS stays far
# below what it was sent
python3 - "$KFLS" >"$k12/rss.out" 2>"$k12/rss.err" <<'PY'
import resource, subprocess, sys, threading
p = subprocess.Popen([sys.argv[1]], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
def write():
    junk = b"x" * (1 << 20)
    p.stdin.write(b"Content-Length: 999999999999\r\n\r\n")
    for _ in range(256):
        p.stdin.write(junk)
    p.stdin.write(b"Content-Length: 1\r\nX-Pad: ")
    for _ in range(256):
        p.stdin.write(junk)
    b = b'{"jsonrpc":"2.0","id":5,"method":"nosuch"}'
    p.stdin.write(b"\r\nContent-Length: %d\r\n\r\n" % len(b) + b)
    p.stdin.close()
threading.Thread(target=write).start()
out = p.stdout.read()
rc = p.wait()
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
print(out.count(b'"message too large"'), out.count(b'"header line too long"'), out.count(b'"id":5'), rc,
      "small" if rss < 128 else "large (%d MiB)" % rss)
print(rss, file=sys.stderr)
PY
printf '1 1 1 1 small\n' >"$k12/rss.exp"
compare "$k12/rss.exp" "$k12/rss.out" "kfls framing: 512 MiB of junk, one error each, bounded memory"
printf "# kfls's peak RSS: %s MiB\n" "$(cat "$k12/rss.err")"

fi

# hovering an app whose source is a folder of 20,000 files lists the first
# ones and stops walking after 10,000 entries: a source of local://. in a
# folder such as / would otherwise be walked whole at each hover
if command -v python3 >/dev/null 2>&1; then
	mkdir -p "$k12/hov/ctx/big"
	python3 -c 'import sys
for i in range(20000): open("%s/f%05d.yaml" % (sys.argv[1], i), "w").close()' "$k12/hov/ctx/big"
	printf 'FROM scratch\nAPP big local://big\n' >"$k12/hov/ctx/Kubefile"
	cat >"$k12/hov/session.in" <<S
$k12_init
{"method":"textDocument/didOpen","params":{"textDocument":{"uri":"file://@DIR@/Kubefile","languageId":"kubefile","version":1,"text":"FROM scratch\\nAPP big local://big\\n"}}}
{"id":3,"method":"textDocument/hover","params":{"textDocument":{"uri":"file://@DIR@/Kubefile"},"position":{"line":1,"character":5}}}
$k12_end
S
	t0=$(date +%s%N)
	python3 "$KF_TESTDATA/lsp-driver.py" "$KFLS" "$k12/hov/session.in" >"$k12/hov.out" 2>&1
	ms=$((($(date +%s%N) - t0) / 1000000))
	if grep -q 'Files in the build context (more than 10000)' "$k12/hov.out" && [ $ms -lt 20000 ]; then
		ok "kfls hover: the walk of a large source stops at 10,000 entries"
	else
		not_ok "kfls hover of a large source ($ms ms)"
		grep -o 'Files in the build context ([^)]*)' "$k12/hov.out" | sed 's/^/# /'
		head -c 500 "$k12/hov.out" | sed 's/^/# /'
	fi
fi
