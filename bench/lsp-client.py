#!/usr/bin/env python3
"""bench/lsp-client.py -- drives one language server through the scripted
session bench/lsp.sh measures, and prints the timings (milliseconds) as
"name value" lines.

    lsp-client.py KUBEFILE_2K KUBEFILE_5K RUNS -- SERVER ARGS...

start-up: spawn to the initialize answer (median of RUNS spawns).
change-Nk: a one-character didChange (a "#" typed at the start of the
  middle line, then deleted) to the N-line document until the
  publishDiagnostics that follows it (median of RUNS edits).
tokens-Nk: textDocument/semanticTokens/full (median of RUNS).
format-5k: textDocument/formatting (median of RUNS).
rss-kb: the server's peak RSS (VmHWM) after the session.
A measurement whose sample takes more than 10 s is not repeated (the peer's
semantic tokens grow faster than linearly); each answer may take 15 minutes.
"""
import json, os, re, select, statistics, subprocess, sys, time

a2, a5, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
SLOW = 10000  # ms: a measurement whose sample takes longer is not repeated
cmd = sys.argv[sys.argv.index("--") + 1:]


class Msg(dict):
    """A message, decoded only as far as the client needs: large bodies
    (diagnostics, tokens) are not parsed, so the client's own JSON cost does
    not count against the server."""
    HEAD = re.compile(rb'"(method|id)"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)')

    def __init__(self, body):
        super().__init__()
        self.body = body
        if len(body) < 4096:
            self.update(json.loads(body))
            return
        for k, v in self.HEAD.findall(body[:300]):
            self.setdefault(k.decode(), json.loads(v))
        if self.get("method") == "textDocument/publishDiagnostics":
            u = re.search(rb'"uri"\s*:\s*("(?:[^"\\]|\\.)*")', body)
            self["params"] = {"uri": json.loads(u.group(1))}


class Server:
    def __init__(self):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.buf = b""
        self.id = 0

    def send(self, o):
        o["jsonrpc"] = "2.0"
        b = json.dumps(o).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(b) + b)
        self.p.stdin.flush()

    def read(self):
        while True:
            i = self.buf.find(b"\r\n\r\n")
            if i >= 0:
                n = int([l for l in self.buf[:i].split(b"\r\n") if l.lower().startswith(b"content-length")][0].split(b":")[1])
                if len(self.buf) >= i + 4 + n:
                    body = self.buf[i + 4:i + 4 + n]
                    self.buf = self.buf[i + 4 + n:]
                    return Msg(body)
            r, _, _ = select.select([self.p.stdout], [], [], 900)
            if not r:
                raise SystemExit("timeout waiting for the server")
            # 64 KiB reads: a 1 MiB read buffer is a fresh mapping per call,
            # whose page faults cost the client ~0.5 ms per large message on
            # a virtual machine, charged to whichever server is measured
            c = os.read(self.p.stdout.fileno(), 1 << 16)
            if not c:
                raise SystemExit("the server exited")
            self.buf += c

    def request(self, method, params):
        self.id += 1
        self.send({"id": self.id, "method": method, "params": params})
        while True:
            m = self.read()
            if m.get("id") == self.id and "method" not in m:
                return m
            if "method" in m and "id" in m:  # a request to the client: answer it
                self.answer(m)

    def wait_diagnostics(self, uri):
        while True:
            m = self.read()
            if os.environ.get("BENCH_DEBUG"): print("got", str(m)[:200], file=sys.stderr)
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
                return m
            if "method" in m and "id" in m:
                self.answer(m)

    def answer(self, m):
        if m["method"] == "workspace/configuration":
            items = m.get("params", {}).get("items", [])
            self.send({"id": m["id"], "result": [None] * len(items)})
        else:
            self.send({"id": m["id"], "result": None})

    def initialize(self):
        r = self.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {
            "textDocument": {"semanticTokens": {"requests": {"full": True}, "tokenTypes": [], "tokenModifiers": [],
                                                "formats": ["relative"]}}}})
        self.send({"method": "initialized", "params": {}})
        return r

    def close(self):
        rss = 0
        try:
            with open("/proc/%d/status" % self.p.pid) as f:
                for l in f:
                    if l.startswith("VmHWM:"):
                        rss = int(l.split()[1])
        except OSError:
            pass
        try:
            self.request("shutdown", None)
            self.send({"method": "exit"})
            self.p.stdin.close()
            self.p.wait(timeout=10)
        except Exception:
            self.p.kill()
        return rss


def ms(t0):
    return (time.perf_counter() - t0) * 1000


starts = []
for _ in range(runs):
    t0 = time.perf_counter()
    s = Server()
    s.initialize()
    starts.append(ms(t0))
    s.close()
print("start-up %.3f" % statistics.median(starts))

s = Server()
s.initialize()
rss = 0
for name, path in (("2k", a2), ("5k", a5)):
    text = open(path).read()
    uri = "file://" + os.path.abspath(path)
    s.send({"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}})
    d = s.wait_diagnostics(uri)
    print("diags-%s %d" % (name, d.body.count(b'"range"')))
    times = []
    line = text.count("\n") // 2
    for v in range(2, 2 + runs):
        t0 = time.perf_counter()
        s.send({"method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": v},
                "contentChanges": [{"range": {"start": {"line": line, "character": 0},
                                              "end": {"line": line, "character": v % 2}}, "text": "" if v % 2 else "#"}]}})
        s.wait_diagnostics(uri)
        times.append(ms(t0))
        if times[-1] > SLOW:
            break
    print("change-%s %.3f" % (name, statistics.median(times)))
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = s.request("textDocument/semanticTokens/full", {"textDocument": {"uri": uri}})
        times.append(ms(t0))
        if times[-1] > SLOW:
            break
    data = re.search(rb'"data"\s*:\s*\[([^\]]*)\]', r.body)
    ntok = (data.group(1).count(b",") + 1) // 5 if data and data.group(1).strip() else 0
    if "error" in r:
        print("tokens-%s-error %s" % (name, json.dumps(r["error"].get("message", ""))))
    print("tokens-%s %.3f" % (name, statistics.median(times)))
    print("tokens-%s-count %d" % (name, ntok))
    if name == "5k":
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            s.request("textDocument/formatting", {"textDocument": {"uri": uri},
                                                  "options": {"tabSize": 4, "insertSpaces": True}})
            times.append(ms(t0))
        print("format-5k %.3f" % statistics.median(times))
print("rss-kb %d" % s.close())
