# Finding 5: ADD and APP of a URL are bounded: an endless body stops at
# --max-download-size, a body that trickles stops after
# --download-stall-timeout seconds under 1 kB/s, and SIGTERM or SIGINT end
# a build within a second with status 130, removing the partial download.
# Before: an endless body from 127.0.0.1 reached ~11 GB in 10 minutes after
# SIGTERM; a server sending 1 byte every 5 s hung the build for ever.
DL=$T/downloads
mkdir -p "$DL/ctx"
cat >"$DL/server.py" <<'PY'
import http.server, socketserver, sys, time
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    def log_message(self, *a):
        sys.stderr.write(self.path + "\n"); sys.stderr.flush()
    def do_GET(self):
        try:
            if self.path == "/endless":
                self.send_response(200); self.end_headers()
                chunk = b"x" * 65536
                while True:
                    self.wfile.write(chunk)
            elif self.path == "/declared":
                self.send_response(200)
                self.send_header("Content-Length", str(100 << 20)); self.end_headers()
                self.wfile.write(b"x" * 1024)
                time.sleep(30)
            elif self.path == "/trickle":
                self.send_response(200); self.end_headers()
                while True:
                    self.wfile.write(b"x"); self.wfile.flush(); time.sleep(5)
            elif self.path == "/silent":
                time.sleep(60)
            else:
                body = b"kind: Namespace\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body))); self.end_headers()
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$DL/server.py" >"$DL/port" 2>"$DL/access.log" &
DL_PID=$!
n=0
while [ ! -s "$DL/port" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
PORT=$(cat "$DL/port")

# dl_build NAME PATH WANT [OPTIONS]: ADD http://127.0.0.1:PORT/PATH, timed
dl_build() {
	name=$1 path=$2 want=$3
	shift 3
	printf 'FROM scratch\nADD http://127.0.0.1:%s/%s /opt/\n' "$PORT" "$path" >"$DL/ctx/Kubefile"
	t0=$(date +%s)
	expect_status "$want" "$name: kfc build" timeout -s KILL 60 "$KFC" build --progress=quiet "$@" "$DL/ctx"
	DL_SECS=$(($(date +%s) - t0))
}
store_tmp_empty() {
	[ -z "$(ls "$KFC_STORE/tmp" 2>/dev/null)" ] && ok "$1: no partial download is left" ||
		not_ok "$1: the store's tmp holds $(ls "$KFC_STORE/tmp")"
}

dl_build "5a. an endless body" endless 1 --max-download-size=1M
expect_err "Kubefile:2:1: error: fetching http://127.0.0.1:$PORT/endless: larger than the --max-download-size of 1 MiB" \
	"5a. an endless body stops at --max-download-size"
store_tmp_empty "5a"
dl_build "5b. a declared size over the limit" declared 1 --max-download-size=1M
expect_err "Kubefile:2:1: error: fetching http://127.0.0.1:$PORT/declared: larger than the --max-download-size of 1 MiB" \
	"5b. a declared size over the limit stops at once"
[ "$DL_SECS" -le 5 ] && ok "5b. within 5 s ($DL_SECS s)" || not_ok "5b. took $DL_SECS s"
dl_build "5c. a trickling body" trickle 1 --download-stall-timeout=2
expect_err "Kubefile:2:1: error: fetching http://127.0.0.1:$PORT/trickle: less than 1 kB/s for 2 s (--download-stall-timeout)" \
	"5c. a trickling body stops after the stall timeout"
[ "$DL_SECS" -le 10 ] && ok "5c. within 10 s ($DL_SECS s)" || not_ok "5c. took $DL_SECS s"
dl_build "5d. a server that never answers" silent 1 --download-stall-timeout=2
expect_err "less than 1 kB/s for 2 s (--download-stall-timeout)" "5d. a silent server stops after the stall timeout"
dl_build "5e. a small download" small 0 --max-download-size=1k
expect_status 2 "5f. --max-download-size=lots" "$KFC" build --max-download-size=lots "$DL/ctx"
expect_err "kfc build: --max-download-size=lots: give a size in bytes, such as 500M or 2G" "5f. a bad size is a usage error"

# signals: a build stuck in a download, a running command or a large COPY
# being compressed ends within a second of SIGTERM or SIGINT, with status
# 130, and leaves nothing behind
# sig_during NAME SIG PATTERN: starts the build of $DL/ctx, waits for
# PATTERN in its progress, sends SIG, expects 130 within a second
sig_during() {
	"$KFC" build --progress=plain --compression-level=9 "$DL/ctx" >"$T/out" 2>"$T/err" &
	pid=$!
	n=0
	while ! grep -q "$3" "$T/err" && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
	sleep 0.5
	t0=$(date +%s%N)
	kill -"$2" $pid
	n=0
	while kill -0 $pid 2>/dev/null && [ $n -lt 50 ]; do sleep 0.05; n=$((n + 1)); done
	ms=$((($(date +%s%N) - t0) / 1000000))
	if kill -0 $pid 2>/dev/null; then
		kill -KILL $pid
		wait $pid
		not_ok "$1: still running 2.5 s after SIG$2"
	else
		wait $pid
		rc=$?
		[ $rc -eq 130 ] && [ $ms -le 1000 ] && ok "$1: exit 130 in $ms ms" || not_ok "$1: exit $rc in $ms ms"
	fi
	store_tmp_empty "$1"
}
for sig in TERM INT; do
	for path in endless trickle; do
		printf 'FROM scratch\nADD http://127.0.0.1:%s/%s /opt/\n' "$PORT" "$path" >"$DL/ctx/Kubefile"
		sig_during "5g. SIG$sig during the $path download" $sig "ADD http"
	done
done
printf 'FROM scratch\nRUN sleep 60\n' >"$DL/ctx/Kubefile"
sig_during "5h. SIGTERM during a RUN" TERM "RUN sleep"
head -c 300000000 /dev/urandom >"$DL/ctx/big"
printf 'FROM scratch\nCOPY big /big\n' >"$DL/ctx/Kubefile"
sig_during "5i. SIGINT during a 300 MB COPY" INT "COPY big"
rm -f "$DL/ctx/big"
kill $DL_PID 2>/dev/null
wait $DL_PID 2>/dev/null
