#!/bin/sh
# registry-infra.sh - the registries tests/registry-lib.sh starts for the
# registry client's tests, proved with skopeo and curl as the client: an OCI
# layout goes into each mode (plain HTTP, HTTPS, Basic auth, Bearer tokens)
# and back with its digest unchanged; TLS and auth are really enforced; a
# read-only token user can pull but not push; the token server grants and
# logs what it should; every fault of tests/registry-hostile.py shows; and
# nothing is left running. No network beyond 127.0.0.1.
. "$(dirname "$0")/lib.sh"
. "$KF_SRCDIR/tests/registry-lib.sh"

for t in skopeo docker-registry curl openssl htpasswd; do
	command -v "$t" >/dev/null 2>&1 || { echo "$t not found: skipped"; oci_cleanup; exit 77; }
done
"$OCI_PYTHON" -c 'import jwt, cryptography' 2>/dev/null ||
	{ echo "python3-jwt or python3-cryptography not found: skipped"; oci_cleanup; exit 77; }

T=$(mktemp -d)
trap 'oci_cleanup; rm -rf "$T"' EXIT
cd "$T" || exit 99

# is NAME: ok when the command just before succeeded
is() {
	if [ $? -eq 0 ]; then ok "$1"; else not_ok "$1"; fi
}

# check NAME COMMAND...: ok when COMMAND succeeds
check() {
	_name=$1
	shift
	if "$@"; then ok "$_name"; else not_ok "$_name"; fi
}

# json FILE EXPR: a Python expression over the JSON document d in FILE
json() {
	"$OCI_PYTHON" -c 'import json, sys; d = json.load(open(sys.argv[1])); r = eval(sys.argv[2]); print(r if isinstance(r, str) else json.dumps(r, sort_keys=True))' "$1" "$2"
}

# jwt_part TOKEN N: part N (0 header, 1 claims) of a JWT, as JSON
jwt_part() {
	"$OCI_PYTHON" -c 'import base64, sys
p = sys.argv[1].split(".")[int(sys.argv[2])]
sys.stdout.write(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)).decode())' "$1" "$2"
}

# status FILE: the HTTP status of the last response in curl's header dump
status() { awk '/^HTTP\//{s=$2} END{print s}' "$1"; }

# header FILE NAME: the value of header NAME in FILE (the last response)
header() { tr -d '\r' <"$1" | awk -v n="$2" 'BEGIN{n=tolower(n) ":"} /^HTTP\//{v=""} tolower($1)==n{sub(/^[^:]*: */, ""); v=$0} END{print v}'; }

# the image: one uncompressed layer of about 100 kB (for the range requests)
printf '%s\n' '{"tag": "v1", "compression": "none",' \
	' "layers": [[{"name": "etc/motd", "data": "hello\n"}, {"name": "data/zeros", "size": 100000}]]}' |
	"$OCI_PYTHON" "$KF_SRCDIR/tests/hostile-oci.py" img || exit 99
digest=$(oci_digest img v1) || exit 99
layer=$(json "img/blobs/sha256/${digest#sha256:}" 'd["layers"][0]["digest"]')
layer_size=$(json "img/blobs/sha256/${digest#sha256:}" 'd["layers"][0]["size"]')
layer_file=img/blobs/sha256/${layer#sha256:}

# --- plain HTTP ---------------------------------------------------------------------
if registry_start_http "$T/http"; then
	ok "registry_start_http: $REG_ADDR"
	registry_roundtrip img:v1 kfc/app && [ "$ROUNDTRIP_DIGEST" = "$digest" ]
	is "http: skopeo round trip keeps the digest"
	[ "$(registry_curl /v2/ -o /dev/null -w "%{http_code}")" = 200 ]
	is "http: /v2/ answers 200"
	rc=0
	curl -sS -o /dev/null --max-time 5 "http://127.0.0.2:${REG_ADDR#*:}/v2/" 2>/dev/null || rc=$?
	check "http: bound to 127.0.0.1 only (127.0.0.2 refused, curl exit $rc)" [ $rc -eq 7 ]
	[ "$(sh -c ". \"$T/http/env\"; echo \$REG_URL")" = "$REG_URL" ]
	is "http: DIR/env holds the address"
else
	not_ok "registry_start_http"
fi

# --- HTTPS ----------------------------------------------------------------------------
if registry_start_tls "$T/tls"; then
	ok "registry_start_tls: $REG_URL"
	registry_roundtrip img:v1 kfc/app && [ "$ROUNDTRIP_DIGEST" = "$digest" ]
	is "tls: skopeo round trip (--dest-cert-dir, --src-cert-dir) keeps the digest"
	check "tls: certs.d/127.0.0.1:PORT/ca.crt is the CA" cmp -s "$REG_CA" "$REG_CERTS_D/$REG_ADDR/ca.crt"
	[ "$(registry_curl /v2/ -o /dev/null -w "%{http_code}")" = 200 ]
	is "tls: curl trusting REG_CA gets 200"
	port=${REG_ADDR#*:}
	[ "$(curl -sS --cacert "$REG_CA" --resolve "localhost:$port:127.0.0.1" -o /dev/null -w "%{http_code}" "https://localhost:$port/v2/")" = 200 ]
	is "tls: the certificate names localhost too"
	rc=0
	curl -sS -o /dev/null --max-time 5 "$REG_URL/v2/" 2>curl.err || rc=$?
	check "tls: curl without the CA refuses the certificate (exit $rc)" [ $rc -eq 60 ]
	if oci_skopeo inspect --raw "docker://$REG_ADDR/kfc/app:v1" >/dev/null 2>skopeo.err; then
		not_ok "tls: skopeo without --cert-dir must refuse the certificate"
	else
		check "tls: skopeo without --cert-dir: unknown authority" grep -q 'certificate signed by unknown authority' skopeo.err
	fi
	[ "$(curl -s -o /dev/null -w "%{http_code}" "http://$REG_ADDR/v2/")" = 400 ]
	is "tls: plain HTTP gets 400 (no registry over http)"
else
	not_ok "registry_start_tls"
fi

# --- Basic auth -----------------------------------------------------------------------
if registry_start_basic "$T/basic" alice:secret bob:hunter2; then
	ok "registry_start_basic: $REG_URL, $REG_CREDS"
	registry_roundtrip img:v1 kfc/app && [ "$ROUNDTRIP_DIGEST" = "$digest" ]
	is "basic: skopeo round trip with --creds keeps the digest"
	registry_curl /v2/ -D h.txt -o /dev/null
	[ "$(status h.txt)" = 401 ] && [ "$(header h.txt WWW-Authenticate)" = "Basic realm=\"kfc-test-registry\"" ]
	is "basic: no credentials: 401 with a Basic challenge"
	registry_curl /v2/ -D h.txt -o /dev/null -u alice:wrong
	check "basic: a wrong password: 401" [ "$(status h.txt)" = 401 ]
	registry_curl /v2/ -D h.txt -o /dev/null -u bob:hunter2
	check "basic: the second user: 200" [ "$(status h.txt)" = 200 ]
	if registry_inspect "docker://$REG_ADDR/kfc/app:v1" --raw --creds alice:wrong >/dev/null 2>skopeo.err; then
		not_ok "basic: skopeo with a wrong password must fail"
	else
		check "basic: skopeo with a wrong password: unauthorized" grep -q 'unauthorized' skopeo.err
	fi
else
	not_ok "registry_start_basic"
fi
# distribution 2.8 takes htpasswd over plain HTTP (its documentation only warns)
if registry_start_basic "$T/basic-http" --http alice:secret; then
	ok "registry_start_basic --http: $REG_URL"
	registry_roundtrip img:v1 kfc/app && [ "$ROUNDTRIP_DIGEST" = "$digest" ]
	is "basic over http: skopeo round trip keeps the digest"
	registry_curl /v2/ -D h.txt -o /dev/null
	check "basic over http: no credentials: 401" [ "$(status h.txt)" = 401 ]
else
	not_ok "registry_start_basic --http"
fi

# --- Bearer tokens --------------------------------------------------------------------
if registry_start_token "$T/token" --expires-in 7 alice:secret reader:books:pull; then
	ok "registry_start_token: $REG_URL, realm $REG_TOKEN_URL"
	registry_curl /v2/ -D h.txt -o /dev/null
	[ "$(status h.txt)" = 401 ] && [ "$(header h.txt WWW-Authenticate)" = "Bearer realm=\"$REG_TOKEN_URL\",service=\"$REG_SERVICE\"" ]
	is "token: /v2/ without a token: 401 with the Bearer challenge"
	registry_roundtrip img:v1 kfc/app && [ "$ROUNDTRIP_DIGEST" = "$digest" ]
	is "token: skopeo round trip with --creds keeps the digest"
	[ -s "$REG_TOKEN_LOG" ] && ! grep -q -v "^200 GET alice scope=repository:kfc/app:\([a-z,]*\) granted=repository:kfc/app:\1$" "$REG_TOKEN_LOG"
	is "token: every token request of the round trip was alice's, granted what it asked"
	check "token: the push asked for pull,push" grep -q '^200 GET alice scope=repository:kfc/app:pull,push granted=repository:kfc/app:pull,push$' "$REG_TOKEN_LOG"

	# the read-only user
	: >"$REG_TOKEN_LOG"
	check "token: the read-only user pulls" registry_copy "docker://$REG_ADDR/kfc/app:v1" oci:ro:v1 --src-creds reader:books
	[ "$(cat "$REG_TOKEN_LOG")" = "200 GET reader scope=repository:kfc/app:pull granted=repository:kfc/app:pull" ]
	is "token: the pull asked for one token, pull only"
	: >"$REG_TOKEN_LOG"
	if registry_copy oci:img:v1 "docker://$REG_ADDR/kfc/other:v1" --dest-creds reader:books 2>skopeo.err; then
		not_ok "token: the read-only user must not push"
	else
		check "token: the read-only user cannot push (denied)" grep -q 'denied\|unauthorized' skopeo.err
		check "token: its push token was granted pull only" \
			grep -q '^200 GET reader scope=repository:kfc/other:pull,push granted=repository:kfc/other:pull$' "$REG_TOKEN_LOG"
	fi

	# a token by hand, and what it holds
	curl -sS --cacert "$REG_CA" -u reader:books -o tok.json \
		"$REG_TOKEN_URL?service=$REG_SERVICE&scope=repository:kfc/app:pull,push&scope=repository:kfc/x:delete"
	tok=$(json tok.json 'd["token"]')
	jwt_part "$tok" 0 >hdr.json
	jwt_part "$tok" 1 >claims.json
	check "token: expires_in is --expires-in" [ "$(json tok.json 'd["expires_in"]')" = 7 ]
	check "token: exp - iat is --expires-in" [ "$(json claims.json 'd["exp"] - d["iat"]')" = 7 ]
	check "token: RS256 with an x5c chain of one certificate" \
		[ "$(json hdr.json '[d["alg"], len(d["x5c"]), "kid" in d]')" = '["RS256", 1, false]' ]
	check "token: the claims: issuer, audience, subject" \
		[ "$(json claims.json '[d["iss"], d["aud"], d["sub"]]')" = "[\"$REG_ISSUER\", \"$REG_SERVICE\", \"reader\"]" ]
	check "token: the access claim holds pull only, nothing for the delete" \
		[ "$(json claims.json 'd["access"]')" = '[{"actions": ["pull"], "name": "kfc/app", "type": "repository"}]' ]
	registry_curl /v2/kfc/app/manifests/v1 -D h.txt -o /dev/null -H "Authorization: Bearer $tok" \
		-H 'Accept: application/vnd.oci.image.manifest.v1+json'
	[ "$(status h.txt)" = 200 ] && [ "$(header h.txt Docker-Content-Digest)" = "$digest" ]
	is "token: the registry takes it for a pull (Docker-Content-Digest)"
	# (distribution writes the two actions in either order)
	registry_curl /v2/kfc/app/blobs/uploads/ -D h.txt -o /dev/null -X POST -H "Authorization: Bearer $tok"
	[ "$(status h.txt)" = 401 ] && header h.txt WWW-Authenticate | grep -q "scope=\"repository:kfc/app:\\(pull,push\\|push,pull\\)\""
	is "token: and refuses it for a push (401, scope pull,push)"
	curl -sS --cacert "$REG_CA" -u reader:wrong -D h.txt -o /dev/null "$REG_TOKEN_URL?service=$REG_SERVICE"
	check "token: a wrong password: 401 from the token server" [ "$(status h.txt)" = 401 ]
	curl -sS --cacert "$REG_CA" -D h.txt -o /dev/null "$REG_TOKEN_URL?service=$REG_SERVICE"
	check "token: no credentials and no --anonymous: 401" [ "$(status h.txt)" = 401 ]
	[ "$(grep -c "^401 GET " "$REG_TOKEN_LOG")" = 2 ] && grep -q "^401 GET reader$" "$REG_TOKEN_LOG" && grep -q "^401 GET -$" "$REG_TOKEN_LOG"
	is "token: the log shows both refusals"
else
	not_ok "registry_start_token"
fi
# over plain HTTP, anonymous pulls, and tokens the registry finds expired at once
if registry_start_token "$T/token-http" --http --anonymous pull --exp -61 alice:secret; then
	ok "registry_start_token --http --anonymous pull --exp -61: $REG_URL"
	case $REG_TOKEN_URL in http://127.0.0.1:*/token) true ;; *) false ;; esac
	is "token over http: the realm is http"
	curl -sS -o tok.json "$REG_TOKEN_URL?service=$REG_SERVICE&scope=repository:kfc/app:pull,push"
	tok=$(json tok.json 'd["token"]')
	jwt_part "$tok" 1 >claims.json
	check "token: an anonymous token, pull only, exp 61 s ago" \
		[ "$(json claims.json '[d["sub"], d["access"][0]["actions"], d["iat"] - d["exp"]]')" = '["", ["pull"], 61]' ]
	registry_curl /v2/ -D h.txt -o /dev/null -H "Authorization: Bearer $tok"
	check "token: the registry refuses a token past exp + 60 s (401)" [ "$(status h.txt)" = 401 ]
	! registry_copy oci:img:v1 "docker://$REG_ADDR/kfc/app:v1" 2>/dev/null
	is "token: so skopeo cannot push with one"
else
	not_ok "registry_start_token --http"
fi

# --- the hostile registry -------------------------------------------------------------
# blob FILE [CURL-OPTIONS...]: GET the layer from the current (hostile)
# registry into FILE, headers in h.txt; sets rc to curl's exit status
blob() {
	_f=$1
	shift
	rc=0
	registry_curl "/v2/any/name/blobs/$layer" -D h.txt -o "$_f" "$@" 2>curl.err || rc=$?
}
sha_of() { printf 'sha256:%s\n' "$(sha256sum <"$1" | cut -c1-64)"; }

if registry_start_hostile "$T/hostile" img; then
	ok "registry_start_hostile: $REG_URL"
	registry_copy "docker://$REG_ADDR/some/repo:v1" oci:h:v1 && [ "$(oci_digest h v1)" = "$digest" ]
	is "hostile: skopeo copies its image, the digest unchanged"
	registry_curl /v2/x/manifests/v1 -I -D h.txt -o /dev/null
	[ "$(header h.txt Content-Type)" = application/vnd.oci.image.manifest.v1+json ] && [ "$(header h.txt Docker-Content-Digest)" = "$digest" ]
	is "hostile: HEAD of a manifest: Content-Type, Docker-Content-Digest"
	blob part -r 100-199
	[ "$(status h.txt)" = 206 ] && [ "$(wc -c <part)" -eq 100 ] && [ "$(header h.txt Content-Range)" = "bytes 100-199/$layer_size" ] && tail -c +101 "$layer_file" | head -c 100 | cmp -s - part
	is "hostile: Range 100-199: 206, 100 bytes, Content-Range"
	blob part -H "Range: bytes=$layer_size-"
	check "hostile: Range past the end: 416" [ "$(status h.txt)" = 416 ]
	check "hostile: the request log" grep -q "^main 206 GET /v2/any/name/blobs/$layer auth=no range=bytes=100-199$" "$REG_LOG"
	registry_stop_dir "$T/hostile"
else
	not_ok "registry_start_hostile"
fi

if registry_start_hostile "$T/bad-digest" img --fault bad-digest; then
	blob got
	[ "$(status h.txt)" = 200 ] && [ "$(wc -c <got)" -eq "$layer_size" ] && [ "$(sha_of got)" != "$layer" ] && [ "$(header h.txt Docker-Content-Digest)" = "$layer" ]
	is "bad-digest: 200, the right length, another hash"
	! registry_copy "docker://$REG_ADDR/x:v1" oci:bd:v1 2>/dev/null
	is "bad-digest: skopeo refuses the layer"
	registry_stop_dir "$T/bad-digest"
else
	not_ok "registry_start_hostile --fault bad-digest"
fi

if registry_start_hostile "$T/lying-size" img --fault lying-size; then
	registry_curl /v2/x/manifests/v1 -D h.txt -o m.json
	[ "$(header h.txt Docker-Content-Digest)" = "$(sha_of m.json)" ] && [ "$(sha_of m.json)" != "$digest" ]
	is "lying-size: the manifest is served under its own new digest"
	blob got
	[ "$(json m.json "d[\"layers\"][0][\"size\"]")" -eq $((layer_size - 1)) ] && [ "$(wc -c <got)" -eq "$layer_size" ] && [ "$(sha_of got)" = "$layer" ]
	is "lying-size: the manifest says one byte less than the blob"
	rc=0
	registry_copy "docker://$REG_ADDR/x:v1" oci:ls:v1 2>/dev/null || rc=$?
	echo "# skopeo against lying-size: exit $rc"
	registry_stop_dir "$T/lying-size"
else
	not_ok "registry_start_hostile --fault lying-size"
fi

if registry_start_hostile "$T/endless" img --fault endless; then
	blob got --max-time 1
	[ $rc -eq 28 ] && [ -z "$(header h.txt Content-Length)" ] && [ "$(wc -c <got)" -gt "$layer_size" ]
	is "endless: no Content-Length, more bytes than the layer until curl gives up (exit $rc)"
	pid=$(cat "$T/endless/pids")
	registry_stop_dir "$T/endless" 2>stop.err
	! kill -0 "$pid" 2>/dev/null && [ ! -s stop.err ] && [ ! -f "$T/endless/pids" ]
	is "registry_stop_dir: the hostile server exits on SIGTERM"
else
	not_ok "registry_start_hostile --fault endless"
fi

if registry_start_hostile "$T/redirect" img --fault redirect; then
	[ -n "$REG_OTHER" ] && [ "$REG_OTHER" != "$REG_ADDR" ] && [ "$REG_CREDS" = kfc:hostile ]
	is "redirect: a second listener, credentials kfc:hostile"
	blob got
	check "redirect: the registry wants Basic credentials" [ "$(status h.txt)" = 401 ]
	blob got -u "$REG_CREDS"
	[ "$(status h.txt)" = 307 ] && [ "$(header h.txt Location)" = "http://$REG_OTHER/blobs/$layer?sig=x" ]
	is "redirect: 307 to the other port"
	blob got -u "$REG_CREDS" -L
	[ "$(sha_of got)" = "$layer" ] && [ "$(grep -c "^other 200 GET /blobs/$layer?sig=x auth=no " "$REG_LOG")" = 1 ]
	is "redirect: curl -L gets the layer from the other port, no Authorization sent there"
	blob got -u "$REG_CREDS" --location-trusted
	check "redirect: with --location-trusted the other port sees the Authorization" \
		grep -q "^other 200 GET /blobs/$layer?sig=x auth=yes " "$REG_LOG"
	: >"$REG_LOG"
	registry_copy "docker://$REG_ADDR/x:v1" oci:rd:v1 && [ "$(oci_digest rd v1)" = "$digest" ]
	is "redirect: skopeo copies through the redirects"
	echo "# skopeo through redirect: $(grep -c '^other 200 ' "$REG_LOG") blobs from the other port, $(grep -c '^other .* auth=yes ' "$REG_LOG") of them with its Authorization"
	registry_stop_dir "$T/redirect"
else
	not_ok "registry_start_hostile --fault redirect"
fi

if registry_start_hostile "$T/401-loop" img --fault 401-loop; then
	registry_curl /v2/x/manifests/v1 -D h.txt -o /dev/null
	[ "$(status h.txt)" = 401 ] && [ "$(header h.txt WWW-Authenticate)" = "Bearer realm=\"$REG_URL/token\",service=\"hostile\",scope=\"repository:x:pull\"" ]
	is "401-loop: 401 with a Bearer challenge"
	registry_curl /token -o tok.json
	registry_curl /v2/x/manifests/v1 -D h.txt -o /dev/null -H "Authorization: Bearer $(json tok.json 'd["token"]')"
	check "401-loop: a token from its realm gets 401 again" [ "$(status h.txt)" = 401 ]
	: >"$REG_LOG"
	rc=0
	timeout 30 skopeo --policy "$OCI_TMP/policy.json" inspect --raw --tls-verify=false --creds a:b "docker://$REG_ADDR/x:v1" >/dev/null 2>skopeo.err || rc=$?
	check "401-loop: skopeo gives up (exit $rc, $(grep -c '' "$REG_LOG") requests)" [ $rc -eq 1 ]
	registry_stop_dir "$T/401-loop"
else
	not_ok "registry_start_hostile --fault 401-loop"
fi

if registry_start_hostile "$T/slow-kill" img --fault slow-kill; then
	blob first
	half=$((layer_size / 2))
	[ $rc -eq 18 ] && [ "$(header h.txt Content-Length)" = "$layer_size" ] && [ "$(wc -c <first)" -eq $half ]
	is "slow-kill: the full Content-Length, then half the bytes and a dropped connection (curl exit $rc)"
	blob rest -H "Range: bytes=$half-"
	cat first rest >whole
	[ "$(status h.txt)" = 206 ] && [ "$(header h.txt Content-Range)" = "bytes $half-$((layer_size - 1))/$layer_size" ] && [ "$(sha_of whole)" = "$layer" ]
	is "slow-kill: the Range request gets 206 and the rest"
	rc=0
	registry_copy "docker://$REG_ADDR/x:v1" oci:sk:v1 2>/dev/null || rc=$?
	echo "# skopeo against slow-kill: exit $rc, requests: $(grep -c "blobs/$layer" "$REG_LOG") for the layer"
	registry_stop_dir "$T/slow-kill"
else
	not_ok "registry_start_hostile --fault slow-kill"
fi

# --- nothing left running -------------------------------------------------------------
# every server's command line names its directory under $T; reg_kill
# complains when one needed SIGKILL
registry_stop_all 2>stop.err
left=$(pgrep -a -f "$T/")
check "registry_stop_all: no server left running" [ -z "$left" ]
[ -z "$left" ] || printf '# %s\n' "$left"
check "every server stopped on SIGTERM" [ ! -s stop.err ]
sed 's/^/# /' stop.err
finish
