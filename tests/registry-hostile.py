#!/usr/bin/python3
"""registry-hostile.py - a registry (API v2, read-only) that serves the images
of an OCI image layout and misbehaves on demand, for the registry client's
tests. Python's standard library only.

    registry-hostile.py LAYOUT [--fault NAME]... [--user USER:PASSWORD]
                        [--port-file F] [--log F]

It listens on 127.0.0.1 (a free port) and, with --fault redirect, on a
second free port (another "host"); it writes the port (and the second one on
a second line) to --port-file, and prints them on stdout, once listening; it
exits on SIGTERM.

Every tagged image of LAYOUT (index.json's org.opencontainers.image.ref.name)
is served under any repository name NAME:

    GET|HEAD /v2/                          200 {}
    GET|HEAD /v2/NAME/manifests/TAG|DIGEST the manifest or index, with its
                                           Content-Type and Docker-Content-Digest
    GET|HEAD /v2/NAME/blobs/DIGEST         any blob of LAYOUT; Range: bytes=A-B,
                                           bytes=A- and bytes=-N give 206
    GET      /v2/NAME/tags/list            the tags
    anything else                          404, or 405 for a push

With --user, every /v2/ request needs those Basic credentials (401 with a
Basic challenge otherwise). The faults (--fault, several may be given) touch
the layers, the blobs that a manifest lists in "layers", unless said:

    bad-digest  a layer's bytes are changed (one byte in the middle), so they
                no longer hash to its digest; the headers still claim it
    lying-size  each manifest says every layer is 1 byte shorter than it is
                (the manifests, and the indexes above them, get new digests)
    endless     a layer's body never ends: its bytes, then zeros, with no
                Content-Length, until the client hangs up
    redirect    every blob (config too) answers 307 to the second listener,
                http://127.0.0.1:OTHER/blobs/DIGEST?sig=x, which serves it
                (with the other faults) and needs no credentials; the
                registry itself requires Basic auth (--user, default
                kfc:hostile). The log shows whether the second listener
                received an Authorization header
    401-loop    every /v2/ request answers 401 with a Bearer challenge
                (realm http://127.0.0.1:PORT/token, service "hostile"),
                whatever it carries; /token hands out a token to anyone
    slow-kill   a layer GET without a Range header sends the full
                Content-Length, then half the bytes slowly (in 8 pieces,
                50 ms apart), then drops the connection; a GET with a Range
                header is answered normally (206), so a client that resumes
                succeeds and one that starts over fails every time

Each response is one line in --log, written when its status is sent:

    LISTENER STATUS METHOD PATH auth=yes|no range=RANGE|-

LISTENER is "main" or "other" (the redirect target); auth tells whether the
request had an Authorization header.
"""
import argparse
import base64
import hashlib
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
INDEX_TYPES = (MT_INDEX, "application/vnd.docker.distribution.manifest.list.v2+json")
FAULTS = ("bad-digest", "lying-size", "endless", "redirect", "401-loop", "slow-kill")


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Layout:
    """The blobs of an OCI layout, and the manifests as served (rewritten by
    lying-size), by digest and by tag."""

    def __init__(self, root, lying_size):
        self.root = root
        self.lying_size = lying_size
        self.manifests = {}   # digest -> (bytes, media type)
        self.tags = {}        # tag -> digest
        self.layers = set()   # layer digests (the fault targets)
        with open(os.path.join(root, "index.json")) as f:
            index = json.load(f)
        for desc in index.get("manifests", []):
            tag = (desc.get("annotations") or {}).get("org.opencontainers.image.ref.name")
            served = self.serve(desc)
            if tag:
                self.tags[tag] = served["digest"]

    def blob_path(self, digest):
        algo, _, hexpart = digest.partition(":")
        if algo != "sha256" or not re.fullmatch(r"[0-9a-f]{64}", hexpart):
            return None
        path = os.path.join(self.root, "blobs", algo, hexpart)
        return path if os.path.isfile(path) else None

    def read(self, digest):
        with open(self.blob_path(digest), "rb") as f:
            return f.read()

    def serve(self, desc):
        """Registers the manifest or index DESC names (and what it names),
        rewritten as the faults want; returns its descriptor as served."""
        data = self.read(desc["digest"])
        doc = json.loads(data)
        mtype = desc.get("mediaType") or doc.get("mediaType") or MT_MANIFEST
        changed = False
        if mtype in INDEX_TYPES:
            for child in doc.get("manifests", []):
                served = self.serve(child)
                if served["digest"] != child["digest"]:
                    child.update(digest=served["digest"], size=served["size"])
                    changed = True
        else:
            for layer in doc.get("layers", []):
                self.layers.add(layer["digest"])
                if self.lying_size:
                    layer["size"] -= 1
                    changed = True
        if changed:
            data = json.dumps(doc, separators=(",", ":")).encode()
        digest = sha(data) if changed else desc["digest"]
        self.manifests[digest] = (data, mtype)
        return {"digest": digest, "size": len(data)}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "registry-hostile"
    listener = "main"

    def log_message(self, *args):
        pass

    def send_response(self, code, message=None):
        super().send_response(code, message)
        headers = getattr(self, "headers", None) or {}
        line = "%s %d %s %s auth=%s range=%s\n" % (
            self.listener, code, self.command or "-", getattr(self, "path", None) or "-",
            "yes" if headers.get("Authorization") else "no",
            headers.get("Range") or "-")
        with self.server.state.lock, open(self.server.state.log, "a") as f:
            f.write(line)

    def reply(self, status, body=b"", ctype="application/json", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, code, message, headers=()):
        body = json.dumps({"errors": [{"code": code, "message": message}]}).encode()
        self.reply(status, body, headers=headers)

    def do_GET(self):
        try:
            self.route()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_HEAD = do_GET

    def do_PUT(self):
        self.error(405, "UNSUPPORTED", "this registry is read-only")

    do_POST = do_PATCH = do_DELETE = do_PUT

    def route(self):
        st = self.server.state
        path = urllib.parse.urlsplit(self.path).path
        if self.listener == "other":
            m = re.fullmatch(r"/blobs/([^/]+)", path)
            if m:
                self.blob(m.group(1))
            else:
                self.error(404, "NOT_FOUND", "no such path")
            return
        if "401-loop" in st.faults:
            if path == "/token":
                body = json.dumps({"token": "hostile", "access_token": "hostile", "expires_in": 300}).encode()
                self.reply(200, body)
                return
            m = re.fullmatch(r"/v2/(.+)/(?:manifests|blobs|tags)/.*", path)
            scope = ',scope="repository:%s:pull"' % m.group(1) if m else ""
            realm = 'Bearer realm="http://127.0.0.1:%d/token",service="hostile"%s' % (st.port, scope)
            self.error(401, "UNAUTHORIZED", "authentication required", [("WWW-Authenticate", realm)])
            return
        if st.user is not None and not self.authorized():
            self.error(401, "UNAUTHORIZED", "authentication required",
                       [("WWW-Authenticate", 'Basic realm="registry-hostile"')])
            return
        if path in ("/v2", "/v2/"):
            self.reply(200, b"{}")
            return
        m = re.fullmatch(r"/v2/(.+)/manifests/([^/]+)", path)
        if m:
            ref = m.group(2)
            digest = st.layout.tags.get(ref, ref)
            if digest not in st.layout.manifests:
                self.error(404, "MANIFEST_UNKNOWN", "manifest unknown")
                return
            data, mtype = st.layout.manifests[digest]
            self.reply(200, data, mtype, [("Docker-Content-Digest", digest)])
            return
        m = re.fullmatch(r"/v2/(.+)/blobs/([^/]+)", path)
        if m:
            if "redirect" in st.faults and st.layout.blob_path(m.group(2)):
                loc = "http://127.0.0.1:%d/blobs/%s?sig=x" % (st.other_port, m.group(2))
                self.reply(307, b"", headers=[("Location", loc)])
                return
            self.blob(m.group(2))
            return
        m = re.fullmatch(r"/v2/(.+)/tags/list", path)
        if m:
            body = json.dumps({"name": m.group(1), "tags": sorted(st.layout.tags)}).encode()
            self.reply(200, body)
            return
        self.error(404, "NOT_FOUND", "no such path")

    def authorized(self):
        kind, _, value = self.headers.get("Authorization", "").partition(" ")
        if kind.lower() != "basic":
            return False
        try:
            return base64.b64decode(value.strip()).decode() == self.server.state.user
        except (ValueError, UnicodeDecodeError):
            return False

    def blob(self, digest):
        st = self.server.state
        path = st.layout.blob_path(digest)
        if path is None:
            self.error(404, "BLOB_UNKNOWN", "blob unknown")
            return
        with open(path, "rb") as f:
            data = f.read()
        layer = digest in st.layout.layers
        if layer and "bad-digest" in st.faults:
            mid = len(data) // 2
            data = data[:mid] + bytes([data[mid] ^ 0x01]) + data[mid + 1:]
        head = [("Docker-Content-Digest", digest), ("Accept-Ranges", "bytes")]
        ctype = "application/octet-stream"
        if layer and "endless" in st.faults and self.command == "GET":
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Connection", "close")
            for k, v in head[:1]:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
            zeros = bytes(65536)
            while True:  # until the client hangs up (BrokenPipeError)
                self.wfile.write(zeros)
                time.sleep(0.01)
        rng = self.headers.get("Range")
        if rng is None:
            if layer and "slow-kill" in st.faults and self.command == "GET":
                self.close_connection = True
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for k, v in head:
                    self.send_header(k, v)
                self.end_headers()
                half = len(data) // 2
                step = max(1, -(-half // 8))
                for off in range(0, half, step):
                    self.wfile.write(data[off:min(off + step, half)])
                    self.wfile.flush()
                    time.sleep(0.05)
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.reply(200, data, ctype, head)
            return
        m = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", rng)
        size = len(data)
        start = end = None
        if m and (m.group(1) or m.group(2)):
            if m.group(1):
                start = int(m.group(1))
                end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
            else:
                start, end = max(0, size - int(m.group(2))), size - 1
        if start is None or start >= size or start > end:
            self.reply(416, b"", ctype, [("Content-Range", "bytes */%d" % size)])
            return
        self.reply(206, data[start:end + 1], ctype,
                   head + [("Content-Range", "bytes %d-%d/%d" % (start, end, size))])


class OtherHandler(Handler):
    listener = "other"


class State:
    pass


def listen(handler, state):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.state = state
    return server


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("layout")
    p.add_argument("--fault", action="append", default=[], choices=FAULTS)
    p.add_argument("--user", help="USER:PASSWORD the registry requires (Basic)")
    p.add_argument("--port-file")
    p.add_argument("--log", default=os.devnull)
    opts = p.parse_args()

    st = State()
    st.faults = set(opts.fault)
    st.user = opts.user
    if "redirect" in st.faults and st.user is None:
        st.user = "kfc:hostile"
    st.log = opts.log
    st.lock = threading.Lock()
    st.layout = Layout(opts.layout, "lying-size" in st.faults)
    open(st.log, "a").close()

    main_server = listen(Handler, st)
    st.port = main_server.server_address[1]
    ports = [st.port]
    if "redirect" in st.faults:
        other = listen(OtherHandler, st)
        st.other_port = other.server_address[1]
        ports.append(st.other_port)
        threading.Thread(target=other.serve_forever, daemon=True).start()

    def stop(*_):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    text = "".join("%d\n" % port for port in ports)
    if opts.port_file:
        with open(opts.port_file + ".tmp", "w") as f:
            f.write(text)
        os.rename(opts.port_file + ".tmp", opts.port_file)
    sys.stdout.write(text)
    sys.stdout.flush()
    try:
        main_server.serve_forever()
    finally:
        main_server.server_close()


if __name__ == "__main__":
    sys.exit(main())
