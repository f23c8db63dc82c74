#!/usr/bin/python3
"""registry-token.py - a token server for the registry tests: it answers the
Docker registry token protocol (GET /token?service=S&scope=SCOPE...) for a
Debian docker-registry (distribution 2.8) configured with `auth: token:`.

    registry-token.py --port-file F --log F --key KEY --cert CERT
                      --issuer ISSUER --service SERVICE
                      [--user USER:PASSWORD[:ACTIONS]]... [--anonymous ACTIONS]
                      [--expires-in SECONDS] [--exp SECONDS]
                      [--tls-cert CRT --tls-key KEY]

It listens on 127.0.0.1 (a free port, written to --port-file and printed on
stdout once listening; over HTTPS with --tls-cert/--tls-key) and exits on
SIGTERM. Python's standard library, PyJWT and cryptography (Debian's
python3-jwt and python3-cryptography).

A request's Basic credentials are checked against the --user list: a wrong
password, or an unknown user, is answered 401 with a Basic challenge; no
credentials at all is answered 401 too unless --anonymous names the actions
anyone may have. ACTIONS is a comma list (default "pull,push"; "*" means all,
"" none): each scope "TYPE:NAME:ACTION,ACTION" asked for is granted only the
actions the user may have, and a scope left with none is left out of the
token (the registry then answers 401/denied). A service other than --service
is answered 400.

The token is an RS256 JWT signed with KEY, its header carries CERT (the
signing certificate, in DER, base64) as the `x5c` chain: distribution 2.8
verifies that chain up to its `rootcertbundle` (it would also take a libtrust
`kid`, but distribution 3 reads `kid` as a JWK thumbprint; `x5c` works in
both). The claims: iss, sub (the user, "" when anonymous), aud (the service,
a string as distribution 2.8 wants), iat, nbf, exp = now + --exp (default
--expires-in), jti, access. The answer is
{"token": T, "access_token": T, "expires_in": N, "issued_at": ISO-8601} with
N = --expires-in (default 300). Mind that distribution accepts a token until
60 s after its exp (its clock-skew leeway): to have the registry refuse a
token that is still cached, give --exp -61.

Each request is one line in --log, written before the answer is sent:

    STATUS METHOD ACCOUNT [scope=SCOPE]... [granted=SCOPE]...

ACCOUNT is the user named by the request's Basic credentials (also when they
were wrong) or "-"; SCOPE as asked, and as granted. Other paths answer 404
and POST (the OAuth2 form) 405; both are logged too.
"""
import argparse
import base64
import datetime
import json
import os
import signal
import ssl
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt


def parse_actions(text):
    return {a for a in text.split(",") if a}


def grant(scope, allowed):
    """The part of SCOPE ("type:name:actions") the actions ALLOWED permit,
    or None."""
    head, sep, actions = scope.rpartition(":")
    if not sep or ":" not in head:
        return None
    want = parse_actions(actions)
    got = want if "*" in allowed else want & allowed
    if not got:
        return None
    rtype, _, name = head.partition(":")
    # distribution 2.8's access claim has no class: "repository(plugin)" -> repository
    rtype = rtype.split("(", 1)[0]
    return {"type": rtype, "name": name, "actions": sorted(got)}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "registry-token"

    def log_message(self, *args):
        pass

    def log_line(self, status, account, scopes, granted):
        words = [str(status), self.command, account or "-"]
        words += ["scope=" + s for s in scopes]
        words += ["granted=%s:%s:%s" % (g["type"], g["name"], ",".join(g["actions"])) for g in granted]
        with self.server.log_lock, open(self.server.opts.log, "a") as f:
            f.write(" ".join(words) + "\n")

    def answer(self, status, body, headers=()):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def credentials(self):
        """(user, password) from the Basic Authorization header, or None."""
        auth = self.headers.get("Authorization", "")
        kind, _, value = auth.partition(" ")
        if kind.lower() != "basic":
            return None
        try:
            user, _, password = base64.b64decode(value.strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return ("", None)
        return (user, password)

    def sign(self, account, granted):
        """A token for account with the access granted, and its time."""
        opts = self.server.opts
        now = int(time.time())
        claims = {"iss": opts.issuer, "sub": account, "aud": opts.service,
                  "iat": now, "nbf": now - 1, "exp": now + opts.exp,
                  "jti": uuid.uuid4().hex, "access": granted}
        token = jwt.encode(claims, self.server.key, algorithm="RS256",
                           headers={"x5c": [self.server.x5c]})
        return token, now

    def do_POST(self):
        """OAuth2's refresh-token grant (docker's identity tokens): a form with
        grant_type=refresh_token, refresh_token (one given with --refresh),
        service, scope, client_id; answers access_token."""
        opts = self.server.opts
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode() if length else "")
        scopes = []
        for s in form.get("scope", []):
            scopes += s.split(" ")
        account = opts.refresh.get(form.get("refresh_token", [""])[0])
        if (urllib.parse.urlsplit(self.path).path != "/token" or form.get("grant_type") != ["refresh_token"]
                or account is None or not form.get("client_id")):
            self.log_line(401, None, scopes, [])
            self.answer(401, {"error": "invalid_grant"})
            return
        granted = [g for g in (grant(s, opts.users[account][1]) for s in scopes) if g]
        token, _ = self.sign(account, granted)
        self.log_line(200, account, scopes, granted)
        self.answer(200, {"access_token": token, "expires_in": opts.expires_in, "scope": " ".join(scopes)})

    def do_GET(self):
        opts = self.server.opts
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        scopes = []
        for s in query.get("scope", []):
            scopes += s.split(" ")  # one parameter may hold several, space-separated
        if url.path != "/token":
            self.log_line(404, None, scopes, [])
            self.answer(404, {"error": "not found"})
            return
        creds = self.credentials()
        challenge = [("WWW-Authenticate", 'Basic realm="registry-token"')]
        if creds is None:
            account, allowed = "", opts.anonymous
            if allowed is None:
                self.log_line(401, None, scopes, [])
                self.answer(401, {"error": "authentication required"}, challenge)
                return
        else:
            account, password = creds
            user = opts.users.get(account)
            if user is None or password is None or user[0] != password:
                self.log_line(401, account, scopes, [])
                self.answer(401, {"error": "wrong user or password"}, challenge)
                return
            allowed = user[1]
        service = query.get("service", [opts.service])[0]
        if service != opts.service:
            self.log_line(400, account, scopes, [])
            self.answer(400, {"error": "unknown service " + service})
            return
        granted = [g for g in (grant(s, allowed) for s in scopes) if g]
        token, now = self.sign(account, granted)
        issued = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).isoformat().replace("+00:00", "Z")
        self.log_line(200, account, scopes, granted)
        self.answer(200, {"token": token, "access_token": token,
                          "expires_in": opts.expires_in, "issued_at": issued})

    do_HEAD = do_GET


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--key", required=True, help="the RSA key that signs tokens (PEM)")
    p.add_argument("--cert", required=True, help="its certificate, put in the x5c header (PEM)")
    p.add_argument("--issuer", required=True)
    p.add_argument("--service", required=True)
    p.add_argument("--user", action="append", default=[], help="USER:PASSWORD[:ACTIONS]")
    p.add_argument("--anonymous", default=None, help="the actions granted without credentials")
    p.add_argument("--refresh", action="append", default=[],
                   help="USER:TOKEN, a refresh token (docker's identity token) for POST /token")
    p.add_argument("--expires-in", type=int, default=300)
    p.add_argument("--exp", type=int, default=None, help="exp claim = now + this (default: --expires-in)")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    opts = p.parse_args()
    users = {}
    for u in opts.user:
        name, sep, rest = u.partition(":")
        if not sep:
            p.error("--user wants USER:PASSWORD[:ACTIONS]: " + u)
        password, sep, actions = rest.partition(":")
        users[name] = (password, parse_actions(actions) if sep else {"pull", "push"})
    opts.users = users
    refresh = {}
    for r in opts.refresh:
        name, sep, token = r.partition(":")
        if not sep or name not in users:
            p.error("--refresh wants USER:TOKEN of a --user: " + r)
        refresh[token] = name
    opts.refresh = refresh
    opts.anonymous = parse_actions(opts.anonymous) if opts.anonymous is not None else None
    if opts.exp is None:
        opts.exp = opts.expires_in

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.opts = opts
    server.log_lock = threading.Lock()
    with open(opts.key, "rb") as f:
        server.key = f.read()
    with open(opts.cert) as f:
        server.x5c = base64.b64encode(ssl.PEM_cert_to_DER_cert(f.read())).decode()
    if opts.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(opts.tls_cert, opts.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    open(opts.log, "a").close()

    def stop(*_):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    port = server.server_address[1]
    with open(opts.port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(opts.port_file + ".tmp", opts.port_file)
    print(port, flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
