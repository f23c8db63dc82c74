#!/usr/bin/env python3
"""Runs a scripted LSP session against kfls and prints what kfls sends.

    lsp-driver.py KFLS SESSION

A session file has one step per line:
    # comment
    {json}              a message (jsonrpc is added); a request waits for its answer
                        (a response to kfls's own request does not wait)
    batch {json} {json} ... several messages in one write (cancellation)
    raw "string"        bytes sent as they are (a JSON string literal; code
                        points up to U+00FF are bytes)
    frame "string"      those bytes as the body of a well-framed message
    write PATH "text"   writes a file in the session's directory (and its parents)
    remove PATH         removes a file from the session's directory
    close               closes kfls's standard input
A string value "@file:NAME" in a message is replaced by the text of NAME
(next to the session file); "@DIR@" anywhere is the session's directory,
a fresh copy of the fixture folder ctx/. The output is every message kfls
sent, one per line as canonical JSON, with @DIR@ put back, then kfls's exit
status.
"""
import json, os, shutil, subprocess, sys, tempfile, select

kfls, session = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(session))
tmp = tempfile.mkdtemp(prefix="kfls-test.")
work = os.path.join(tmp, "w")
shutil.copytree(os.path.join(here, "ctx"), work)
env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(tmp, "cfg"), HOME=tmp,
           KFC_STORE=os.path.join(work, "store"))
p = subprocess.Popen([kfls], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
out = []
buf = b""


def subst(v):
    if isinstance(v, str):
        if v.startswith("@file:"):
            with open(os.path.join(here, v[6:]), encoding="utf-8", errors="surrogateescape") as f:
                return f.read()
        return v.replace("@DIR@", work)
    if isinstance(v, list):
        return [subst(x) for x in v]
    if isinstance(v, dict):
        return {k: subst(x) for k, x in v.items()}
    return v


def frame(msg):
    msg = subst(msg)
    msg.setdefault("jsonrpc", "2.0")
    b = json.dumps(msg).encode("utf-8", "surrogateescape")
    return b"Content-Length: %d\r\n\r\n" % len(b) + b


def read_message(timeout):
    """One message from kfls, or None at end of output / timeout."""
    global buf
    while True:
        i = buf.find(b"\r\n\r\n")
        if i >= 0:
            hdr = buf[:i].decode()
            n = int([l for l in hdr.split("\r\n") if l.lower().startswith("content-length:")][0].split(":")[1])
            if len(buf) >= i + 4 + n:
                body = buf[i + 4:i + 4 + n]
                buf = buf[i + 4 + n:]
                return json.loads(body)
        r, _, _ = select.select([p.stdout], [], [], timeout)
        if not r:
            return None
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            return None
        buf += chunk


def record(m):
    out.append(json.dumps(m, sort_keys=True, ensure_ascii=False).replace(work, "@DIR@"))


def send(b):
    p.stdin.write(b)
    p.stdin.flush()


def wait_for(ids):
    ids = set(ids)
    while ids:
        m = read_message(10)
        if m is None:
            out.append("(no answer)")
            return
        record(m)
        if "method" not in m and m.get("id") in ids:
            ids.discard(m["id"])


with open(session, encoding="utf-8") as f:
    for line in f:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line == "close":
            p.stdin.close()
            continue
        if line.startswith("raw "):
            send(json.loads(line[4:]).encode("latin-1"))
            continue
        if line.startswith("frame "):
            body = json.loads(line[6:]).encode("latin-1")
            send(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            continue
        if line.startswith("write "):
            path, text = line[6:].split(" ", 1)
            os.makedirs(os.path.dirname(os.path.join(work, path)), exist_ok=True)
            with open(os.path.join(work, path), "w") as g:
                g.write(json.loads(text))
            continue
        if line.startswith("remove "):
            os.remove(os.path.join(work, line[7:]))
            continue
        if line.startswith("batch "):
            dec = json.JSONDecoder()
            rest, msgs = line[6:].strip(), []
            while rest:
                m, k = dec.raw_decode(rest)
                msgs.append(m)
                rest = rest[k:].strip()
            send(b"".join(frame(m) for m in msgs))
            wait_for([m["id"] for m in msgs if "id" in m and "method" in m and m["method"] != "$/cancelRequest"])
            continue
        m = json.loads(line)
        send(frame(m))
        if "id" in m and "method" in m:
            wait_for([m["id"]])
# the rest, up to the end of kfls's output
if not p.stdin.closed:
    try:
        p.stdin.close()
    except BrokenPipeError:
        pass
while True:
    m = read_message(10)
    if m is None:
        break
    record(m)
rc = p.wait(timeout=10)
print("\n".join(out))
print("exit status %d" % rc)
shutil.rmtree(tmp)
