# registry-lib.sh - registries on 127.0.0.1 that a test starts and stops
# itself, for the tests of a registry client (kfc pull, push, login): Debian's
# docker-registry (distribution 2.8) over plain HTTP, over HTTPS with a CA made
# here, with htpasswd Basic auth, with Bearer tokens from tests/registry-token.py,
# and tests/registry-hostile.py, which serves an OCI layout and misbehaves on
# demand. Sourced (POSIX sh) after lib.sh; it sources oci-lib.sh when that is
# not loaded yet (oci_cleanup then also stops what this file started).
#
# Each start function takes a new DIR of its own (config, storage,
# certificates, logs and pid files go there), starts its server(s) bound to
# 127.0.0.1 on free ports, waits until they answer, and sets and exports:
#
#   REG_ADDR      127.0.0.1:PORT, the registry part of an image reference
#   REG_URL       http://REG_ADDR or https://REG_ADDR
#   REG_DIR       DIR
#   REG_CA        (https) DIR/ca.crt, the CA that signed the server's
#                 certificate (subjectAltName IP:127.0.0.1, DNS:localhost)
#   REG_CERTS_D   (https) DIR/certs.d, holding 127.0.0.1:PORT/ca.crt, laid out
#                 as /etc/containers/certs.d and /etc/docker/certs.d are
#   REG_CERT_DIR  (https) DIR/certs.d/127.0.0.1:PORT (skopeo's --cert-dir)
#   REG_CREDS     USER:PASSWORD of the first user given (auth modes)
#   REG_LOG       the server's log (the request log for the hostile server)
#   REG_TOKEN_URL (token) the realm, http(s)://127.0.0.1:PORT/token
#   REG_TOKEN_LOG (token) the token server's request log, one line a request:
#                 "STATUS METHOD ACCOUNT [scope=S]... [granted=S]..."
#   REG_SERVICE, REG_ISSUER  (token) the service and issuer names
#   REG_OTHER     (hostile, --fault redirect) 127.0.0.1:PORT the blobs
#                 redirect to
#
# (the ones that do not apply are set empty), and writes the same
# assignments to DIR/env: a test that runs several servers at once sources
# ". DIR/env" to make one of them current again.
#
#   registry_start_http DIR       plain HTTP, no auth
#   registry_start_tls DIR        HTTPS
#   registry_start_basic DIR [--http] USER:PASSWORD...
#                                 htpasswd Basic auth (bcrypt, from apache2-
#                                 utils' htpasswd), over HTTPS, or over plain
#                                 HTTP with --http: distribution 2.8 does not
#                                 refuse that, its documentation only warns
#   registry_start_token DIR [--http] [--expires-in S] [--exp S] [--refresh USER:TOKEN]
#                        [--anonymous ACTIONS] USER:PASSWORD[:ACTIONS]...
#                                 Bearer tokens: the registry (HTTPS, or HTTP
#                                 with --http) sends clients to the token
#                                 server, which serves over the same scheme.
#                                 ACTIONS "pull" makes a read-only user
#                                 (default "pull,push"; "*" all). --expires-in
#                                 is the expires_in the client is told
#                                 (default 300), --exp the exp claim's
#                                 distance from now (default the same; the
#                                 registry accepts a token until 60 s after
#                                 exp). See tests/registry-token.py.
#   registry_start_hostile DIR LAYOUT [--fault NAME]... [--user USER:PASSWORD]
#                                 tests/registry-hostile.py serving LAYOUT
#                                 (plain HTTP); the faults are described there
#   registry_stop_dir DIR         stops the servers started in DIR, by PID
#   registry_stop_all             stops every server started here (and
#                                 oci-lib's registry_start), by PID; for the
#                                 test's EXIT trap (oci_cleanup calls it)
#   registry_copy SRC DEST [SKOPEO-COPY-OPTIONS...]
#                                 skopeo copy --quiet --preserve-digests,
#                                 with the TLS options and --creds REG_CREDS
#                                 for the side that is docker://REG_ADDR/...
#                                 (options given after them win)
#   registry_inspect REF [SKOPEO-INSPECT-OPTIONS...]  skopeo inspect, the same
#   registry_roundtrip LAYOUT:TAG REPO
#                                 oci:LAYOUT:TAG -> docker://REG_ADDR/REPO:TAG
#                                 -> a new layout: the manifest digest must not
#                                 change; sets ROUNDTRIP_DIGEST, ROUNDTRIP_LAYOUT
#   registry_curl PATH [CURL-OPTIONS...]
#                                 curl -sS REG_URL/PATH, trusting REG_CA
#
# Functions return non-zero with a line "registry-lib: FUNCTION: why" on
# stderr when they fail. Call the start functions directly, not in $(...):
# the variables would be lost, and the server would outlive its records.
#
# A test of the registry client then reads, for instance:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$KF_SRCDIR/tests/registry-lib.sh"
#   trap 'oci_cleanup; rm -rf "$T"' EXIT
#   registry_start_token "$T/reg" alice:secret ro:secret:pull || exit 99
#   "$KFC" push --cert-dir "$REG_CERT_DIR" ... "$REG_ADDR/app:v1"
#   grep -c '^200 ' "$REG_TOKEN_LOG"     # how many tokens it asked for
#
# The client finds the CA through REG_CA or REG_CERTS_D, and the credentials
# in REG_CREDS.
# shellcheck shell=sh

[ -n "${OCI_TMP:-}" ] || . "$KF_SRCDIR/tests/oci-lib.sh"
REG_PIDFILE=$OCI_TMP/registry.pids
REG_TOKEN_PY=$KF_SRCDIR/tests/registry-token.py
REG_HOSTILE_PY=$KF_SRCDIR/tests/registry-hostile.py
reg_roundtrips=0
REG_VARS="REG_ADDR REG_URL REG_DIR REG_CA REG_CERTS_D REG_CERT_DIR REG_CREDS REG_LOG REG_TOKEN_URL
REG_TOKEN_LOG REG_SERVICE REG_ISSUER REG_OTHER"
for _rg_v in $REG_VARS; do
	eval "$_rg_v=''"
done
: >"$REG_PIDFILE"
# Nothing here may go through a proxy the environment names.
no_proxy=127.0.0.1,localhost${no_proxy:+,$no_proxy}
NO_PROXY=$no_proxy
export no_proxy NO_PROXY

reg_fail() { printf 'registry-lib: %s\n' "$*" >&2; return 1; }

# reg_show FILE: FILE on stderr, each line behind "# ".
reg_show() { [ -f "$1" ] && sed 's/^/# /' "$1" >&2; return 0; }

# reg_dir DIR: makes DIR (which must be new or empty) and sets _rg_dir to its
# absolute path.
reg_dir() {
	[ -n "${1:-}" ] || { reg_fail "usage: give a directory"; return 1; }
	if [ -d "$1" ] && [ -n "$(ls -A "$1")" ]; then
		reg_fail "$1 is not empty"
		return 1
	fi
	mkdir -p "$1" || { reg_fail "cannot create $1"; return 1; }
	_rg_dir=$(cd "$1" && pwd)
}

# reg_spawn DIR NAME COMMAND...: runs COMMAND in the background, output in
# DIR/NAME.log, its PID in _rg_pid, DIR/pids and the list registry_stop_all
# reads.
reg_spawn() {
	_rg_sdir=$1
	_rg_name=$2
	shift 2
	"$@" >"$_rg_sdir/$_rg_name.log" 2>&1 &
	_rg_pid=$!
	echo "$_rg_pid" >>"$_rg_sdir/pids"
	echo "$_rg_pid $_rg_sdir" >>"$REG_PIDFILE"
}

# reg_kill PID: SIGTERM, wait up to 10 s, then SIGKILL; reaps it.
reg_kill() {
	kill "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return 0; }
	_rg_i=0
	while kill -0 "$1" 2>/dev/null && [ $_rg_i -lt 100 ]; do
		sleep 0.1
		_rg_i=$((_rg_i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -9 "$1" 2>/dev/null
		reg_fail "pid $1 ignored SIGTERM, killed"
	fi
	wait "$1" 2>/dev/null
	return 0
}

# reg_wait_file PID FILE: waits (up to 20 s) until FILE exists; false if
# PID exits first.
reg_wait_file() {
	_rg_i=0
	while [ $_rg_i -lt 200 ]; do
		[ -s "$2" ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
		_rg_i=$((_rg_i + 1))
	done
	return 1
}

# reg_answers URL [CURL-OPTIONS...]: true when URL gives an HTTP status
# below 500 (401 included).
reg_answers() {
	_rg_url=$1
	shift
	_rg_code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$_rg_url" 2>/dev/null)
	[ -n "$_rg_code" ] && [ "$_rg_code" -ge 100 ] && [ "$_rg_code" -lt 500 ]
}

# reg_make_ca DIR: DIR/ca.key and DIR/ca.crt, a CA of its own.
reg_make_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1/ca.key" -out "$1/ca.crt" -days 2 -subj "/CN=kfc test CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" >"$1/openssl.log" 2>&1 ||
		{ reg_fail "openssl cannot make a CA:"; reg_show "$1/openssl.log"; return 1; }
}

# reg_make_cert DIR NAME ec|rsa EXTENSIONS: DIR/NAME.key and DIR/NAME.crt
# signed by DIR/ca.*, with the given extensions (openssl's syntax, one a line).
reg_make_cert() {
	case $3 in
	ec) set -- "$1" "$2" "-newkey ec -pkeyopt ec_paramgen_curve:P-256" "$4" ;;
	rsa) set -- "$1" "$2" "-newkey rsa:2048" "$4" ;;
	esac
	printf '%s\n' "$4" >"$1/$2.ext"
	# shellcheck disable=SC2086  # $3: the key options, split on purpose
	if ! openssl req $3 -nodes -keyout "$1/$2.key" -out "$1/$2.csr" -subj "/CN=$2" >"$1/openssl.log" 2>&1 ||
		! openssl x509 -req -in "$1/$2.csr" -CA "$1/ca.crt" -CAkey "$1/ca.key" \
			-set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
			-days 2 -extfile "$1/$2.ext" -out "$1/$2.crt" >>"$1/openssl.log" 2>&1; then
		reg_fail "openssl cannot make the certificate $2:"
		reg_show "$1/openssl.log"
		return 1
	fi
	rm -f "$1/$2.csr"
}

# reg_make_server_cert DIR: DIR/ca.*, DIR/server.* for 127.0.0.1/localhost.
reg_make_server_cert() {
	[ -f "$1/ca.crt" ] || reg_make_ca "$1" || return 1
	reg_make_cert "$1" server ec "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost"
}

# reg_export [NAME=VALUE...]: sets and exports the REG_* variables (those not
# given empty) and writes them to $REG_DIR/env.
reg_export() {
	for _rg_v in $REG_VARS; do
		[ "$_rg_v" = REG_DIR ] || eval "$_rg_v=''"
	done
	for _rg_a in "$@"; do
		eval "${_rg_a%%=*}=\${_rg_a#*=}"
	done
	: >"$REG_DIR/env"
	for _rg_v in $REG_VARS; do
		eval "_rg_val=\$$_rg_v"
		# shellcheck disable=SC2154  # set by the eval
		printf "%s='%s'\nexport %s\n" "$_rg_v" "$(printf '%s' "$_rg_val" | sed "s/'/'\\\\''/g")" "$_rg_v" >>"$REG_DIR/env"
		# shellcheck disable=SC2163  # the name in $_rg_v is what is exported
		export "$_rg_v"
	done
}

# reg_distribution DIR SCHEME AUTH-YAML: docker-registry bound to 127.0.0.1
# on a free port (three tries), config DIR/config.yml, storage DIR/storage,
# log DIR/registry.log ($REG_ROOTDIR instead of DIR/storage when set: a
# registry over a folder made elsewhere); https uses DIR/server.*. AUTH-YAML is the config's
# auth section, or empty. Sets _rg_port once it logged that it listens and
# /v2/ answers (up to 10 s).
reg_distribution() {
	command -v docker-registry >/dev/null 2>&1 ||
		{ reg_fail "docker-registry not found (Debian package docker-registry)"; return 1; }
	_rg_ddir=$1
	mkdir -p "$_rg_ddir/storage"
	for _rg_try in 1 2 3; do
		_rg_port=$(oci_free_port) || { reg_fail "no free port"; return 1; }
		{
			cat <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${REG_ROOTDIR:-$_rg_ddir/storage}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$_rg_port
  secret: kfc-test-registry-secret
EOF
			if [ "$2" = https ]; then
				printf '  tls:\n    certificate: %s\n    key: %s\n' "$_rg_ddir/server.crt" "$_rg_ddir/server.key"
			fi
			[ -z "$3" ] || printf '%s\n' "$3"
		} >"$_rg_ddir/config.yml"
		reg_spawn "$_rg_ddir" registry docker-registry serve "$_rg_ddir/config.yml"
		_rg_i=0
		while [ $_rg_i -lt 100 ] && kill -0 "$_rg_pid" 2>/dev/null; do
			# its own "listening" line: the answer is not another server's
			if grep -qs "listening on 127.0.0.1:$_rg_port" "$_rg_ddir/registry.log" &&
				reg_answers "$2://127.0.0.1:$_rg_port/v2/" --cacert "$_rg_ddir/ca.crt"; then
				return 0
			fi
			sleep 0.1
			_rg_i=$((_rg_i + 1))
		done
		reg_kill "$_rg_pid"
	done
	reg_fail "docker-registry did not answer on 127.0.0.1; its log:"
	reg_show "$_rg_ddir/registry.log"
	return 1
}

# reg_certs_d DIR PORT: DIR/certs.d/127.0.0.1:PORT/ca.crt.
reg_certs_d() {
	mkdir -p "$1/certs.d/127.0.0.1:$2" && cp "$1/ca.crt" "$1/certs.d/127.0.0.1:$2/ca.crt"
}

registry_start_http() {
	reg_dir "${1:-}" || return 1
	reg_distribution "$_rg_dir" http "" || return 1
	REG_DIR=$_rg_dir
	reg_export REG_ADDR="127.0.0.1:$_rg_port" REG_URL="http://127.0.0.1:$_rg_port" \
		REG_LOG="$_rg_dir/registry.log"
}

registry_start_tls() {
	reg_dir "${1:-}" || return 1
	reg_make_server_cert "$_rg_dir" || return 1
	reg_distribution "$_rg_dir" https "" || return 1
	reg_certs_d "$_rg_dir" "$_rg_port" || return 1
	REG_DIR=$_rg_dir
	reg_export REG_ADDR="127.0.0.1:$_rg_port" REG_URL="https://127.0.0.1:$_rg_port" \
		REG_CA="$_rg_dir/ca.crt" REG_CERTS_D="$_rg_dir/certs.d" \
		REG_CERT_DIR="$_rg_dir/certs.d/127.0.0.1:$_rg_port" REG_LOG="$_rg_dir/registry.log"
}

# reg_bcrypt USER PASSWORD: an htpasswd line with a bcrypt hash of the
# lowest cost (4), as distribution checks it on every request.
reg_bcrypt() {
	if command -v htpasswd >/dev/null 2>&1; then
		htpasswd -nbB -C 4 "$1" "$2" | sed '/^$/d'
	else
		reg_fail "htpasswd not found (Debian package apache2-utils)"
	fi
}

registry_start_basic() {
	reg_dir "${1:-}" || return 1
	shift
	_rg_scheme=https
	if [ "${1:-}" = --http ]; then
		_rg_scheme=http
		shift
	fi
	[ $# -ge 1 ] || { reg_fail "registry_start_basic: usage: registry_start_basic DIR [--http] USER:PASSWORD..."; return 1; }
	_rg_creds=$1
	: >"$_rg_dir/htpasswd"
	for _rg_u in "$@"; do
		case $_rg_u in
		*:*) ;;
		*) reg_fail "registry_start_basic: $_rg_u: give USER:PASSWORD"; return 1 ;;
		esac
		reg_bcrypt "${_rg_u%%:*}" "${_rg_u#*:}" >>"$_rg_dir/htpasswd" || return 1
	done
	if [ $_rg_scheme = https ]; then
		reg_make_server_cert "$_rg_dir" || return 1
	fi
	reg_distribution "$_rg_dir" $_rg_scheme "auth:
  htpasswd:
    realm: kfc-test-registry
    path: $_rg_dir/htpasswd" || return 1
	REG_DIR=$_rg_dir
	if [ $_rg_scheme = https ]; then
		reg_certs_d "$_rg_dir" "$_rg_port" || return 1
		reg_export REG_ADDR="127.0.0.1:$_rg_port" REG_URL="https://127.0.0.1:$_rg_port" \
			REG_CA="$_rg_dir/ca.crt" REG_CERTS_D="$_rg_dir/certs.d" \
			REG_CERT_DIR="$_rg_dir/certs.d/127.0.0.1:$_rg_port" REG_LOG="$_rg_dir/registry.log" \
			REG_CREDS="$_rg_creds"
	else
		reg_export REG_ADDR="127.0.0.1:$_rg_port" REG_URL="http://127.0.0.1:$_rg_port" \
			REG_LOG="$_rg_dir/registry.log" REG_CREDS="$_rg_creds"
	fi
}

registry_start_token() {
	reg_dir "${1:-}" || return 1
	shift
	_rg_scheme=https
	_rg_topts=
	while [ $# -gt 0 ]; do
		case $1 in
		--http) _rg_scheme=http ;;
		--expires-in | --exp | --anonymous | --refresh)
			[ $# -ge 2 ] || { reg_fail "registry_start_token: $1 wants a value"; return 1; }
			printf '%s\n%s\n' "$1" "$2" >>"$_rg_dir/token.args"
			shift
			;;
		--*) reg_fail "registry_start_token: unknown option $1"; return 1 ;;
		*) break ;;
		esac
		shift
	done
	[ $# -ge 1 ] || { reg_fail "registry_start_token: usage: registry_start_token DIR [OPTIONS] USER:PASSWORD[:ACTIONS]..."; return 1; }
	_rg_u=${1#*:}
	_rg_creds=${1%%:*}:${_rg_u%%:*}
	for _rg_u in "$@"; do
		printf '%s\n%s\n' --user "$_rg_u" >>"$_rg_dir/token.args"
	done
	"$OCI_PYTHON" -c 'import jwt, cryptography' 2>/dev/null ||
		{ reg_fail "registry_start_token: $OCI_PYTHON lacks jwt or cryptography (python3-jwt, python3-cryptography)"; return 1; }
	reg_make_server_cert "$_rg_dir" || return 1
	reg_make_cert "$_rg_dir" token rsa "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature" || return 1
	if [ $_rg_scheme = https ]; then
		set -- --tls-cert "$_rg_dir/server.crt" --tls-key "$_rg_dir/server.key"
	else
		set --
	fi
	# the token server's options, one a line in token.args (no word splitting)
	while IFS= read -r _rg_a; do
		set -- "$@" "$_rg_a"
	done <"$_rg_dir/token.args"
	reg_spawn "$_rg_dir" token "$OCI_PYTHON" "$REG_TOKEN_PY" --port-file "$_rg_dir/token.port" \
		--log "$_rg_dir/token-requests.log" --key "$_rg_dir/token.key" --cert "$_rg_dir/token.crt" \
		--issuer kfc-test-token-issuer --service kfc-test-registry "$@"
	reg_wait_file "$_rg_pid" "$_rg_dir/token.port" ||
		{ reg_fail "registry_start_token: the token server did not start:"; reg_show "$_rg_dir/token.log"; return 1; }
	_rg_realm=$_rg_scheme://127.0.0.1:$(cat "$_rg_dir/token.port")/token
	reg_distribution "$_rg_dir" $_rg_scheme "auth:
  token:
    realm: $_rg_realm
    service: kfc-test-registry
    issuer: kfc-test-token-issuer
    rootcertbundle: $_rg_dir/ca.crt" || return 1
	REG_DIR=$_rg_dir
	set -- REG_ADDR="127.0.0.1:$_rg_port" REG_URL="$_rg_scheme://127.0.0.1:$_rg_port" \
		REG_LOG="$_rg_dir/registry.log" REG_CREDS="$_rg_creds" REG_TOKEN_URL="$_rg_realm" \
		REG_TOKEN_LOG="$_rg_dir/token-requests.log" REG_SERVICE=kfc-test-registry \
		REG_ISSUER=kfc-test-token-issuer
	if [ $_rg_scheme = https ]; then
		reg_certs_d "$_rg_dir" "$_rg_port" || return 1
		set -- "$@" REG_CA="$_rg_dir/ca.crt" REG_CERTS_D="$_rg_dir/certs.d" \
			REG_CERT_DIR="$_rg_dir/certs.d/127.0.0.1:$_rg_port"
	fi
	reg_export "$@"
}

registry_start_hostile() {
	reg_dir "${1:-}" || return 1
	[ -f "${2:-}/index.json" ] || { reg_fail "registry_start_hostile: usage: registry_start_hostile DIR LAYOUT [OPTIONS...]"; return 1; }
	_rg_layout=$2
	shift 2
	_rg_creds=
	_rg_prev=
	for _rg_a in "$@"; do
		[ "$_rg_prev" = --user ] && _rg_creds=$_rg_a
		[ "$_rg_a" = redirect ] && [ "$_rg_prev" = --fault ] && [ -z "$_rg_creds" ] && _rg_creds=kfc:hostile
		_rg_prev=$_rg_a
	done
	reg_spawn "$_rg_dir" hostile "$OCI_PYTHON" "$REG_HOSTILE_PY" "$_rg_layout" \
		--port-file "$_rg_dir/ports" --log "$_rg_dir/requests.log" "$@"
	reg_wait_file "$_rg_pid" "$_rg_dir/ports" ||
		{ reg_fail "registry_start_hostile: registry-hostile.py did not start:"; reg_show "$_rg_dir/hostile.log"; return 1; }
	_rg_port=$(sed -n 1p "$_rg_dir/ports")
	_rg_other=$(sed -n 2p "$_rg_dir/ports")
	REG_DIR=$_rg_dir
	reg_export REG_ADDR="127.0.0.1:$_rg_port" REG_URL="http://127.0.0.1:$_rg_port" \
		REG_LOG="$_rg_dir/requests.log" REG_CREDS="$_rg_creds" \
		REG_OTHER="${_rg_other:+127.0.0.1:$_rg_other}"
}

registry_stop_dir() {
	[ -n "${1:-}" ] || { reg_fail "registry_stop_dir: usage: registry_stop_dir DIR"; return 1; }
	[ -f "$1/pids" ] || return 0
	_rg_d=$(cd "$1" && pwd)
	while read -r _rg_p; do
		reg_kill "$_rg_p"
	done <"$_rg_d/pids"
	rm -f "$_rg_d/pids"
	awk -v d="$_rg_d" 'substr($0, index($0, " ") + 1) != d' "$REG_PIDFILE" >"$REG_PIDFILE.new" &&
		mv "$REG_PIDFILE.new" "$REG_PIDFILE"
}

registry_stop_all() {
	if [ -f "$REG_PIDFILE" ]; then
		while read -r _rg_p _rg_d; do
			reg_kill "$_rg_p"
			rm -f "$_rg_d/pids"
		done <"$REG_PIDFILE"
		: >"$REG_PIDFILE"
	fi
	registry_stop
}

# reg_skopeo_opts PREFIX: prints skopeo's options for REG_*, one a line;
# PREFIX is "src-", "dest-" or "".
reg_skopeo_opts() {
	if [ -n "$REG_CERT_DIR" ]; then
		printf '%s\n%s\n' "--${1}cert-dir" "$REG_CERT_DIR"
	else
		printf '%s\n' "--${1}tls-verify=false"
	fi
	[ -z "$REG_CREDS" ] || printf '%s\n%s\n' "--${1}creds" "$REG_CREDS"
}

registry_copy() {
	[ $# -ge 2 ] || { reg_fail "registry_copy: usage: registry_copy SRC DEST [OPTIONS...]"; return 1; }
	_rg_src=$1
	_rg_dst=$2
	shift 2
	: >"$OCI_TMP/registry-opts"
	case $_rg_src in docker://"$REG_ADDR"/*) reg_skopeo_opts src- >>"$OCI_TMP/registry-opts" ;; esac
	case $_rg_dst in docker://"$REG_ADDR"/*) reg_skopeo_opts dest- >>"$OCI_TMP/registry-opts" ;; esac
	_rg_n=$#
	while IFS= read -r _rg_a; do
		set -- "$@" "$_rg_a"
	done <"$OCI_TMP/registry-opts"
	# the options from REG_* first, the caller's after them
	_rg_i=0
	while [ $_rg_i -lt $_rg_n ]; do
		set -- "$@" "$1"
		shift
		_rg_i=$((_rg_i + 1))
	done
	oci_skopeo copy --quiet --preserve-digests "$@" "$_rg_src" "$_rg_dst"
}

registry_inspect() {
	[ $# -ge 1 ] || { reg_fail "registry_inspect: usage: registry_inspect REF [OPTIONS...]"; return 1; }
	_rg_ref=$1
	shift
	_rg_n=$#
	reg_skopeo_opts "" >"$OCI_TMP/registry-opts"
	while IFS= read -r _rg_a; do
		set -- "$@" "$_rg_a"
	done <"$OCI_TMP/registry-opts"
	_rg_i=0
	while [ $_rg_i -lt $_rg_n ]; do
		set -- "$@" "$1"
		shift
		_rg_i=$((_rg_i + 1))
	done
	oci_skopeo inspect "$@" "$_rg_ref"
}

registry_roundtrip() {
	[ $# -eq 2 ] || { reg_fail "registry_roundtrip: usage: registry_roundtrip LAYOUT:TAG REPO"; return 1; }
	[ -n "${REG_ADDR:-}" ] || { reg_fail "registry_roundtrip: no registry started"; return 1; }
	_rg_tag=${1##*:}
	reg_roundtrips=$((reg_roundtrips + 1))
	_rg_remote=docker://$REG_ADDR/$2:$_rg_tag
	_rg_back=$OCI_TMP/registry-roundtrip$reg_roundtrips
	_rg_log=$OCI_TMP/registry-roundtrip.log
	oci_skopeo inspect --raw "oci:$1" >"$OCI_TMP/rm.src" 2>"$_rg_log" ||
		{ reg_fail "registry_roundtrip: cannot read oci:$1:"; reg_show "$_rg_log"; return 1; }
	registry_copy "oci:$1" "$_rg_remote" >"$_rg_log" 2>&1 ||
		{ reg_fail "registry_roundtrip: skopeo copy oci:$1 $_rg_remote failed:"; reg_show "$_rg_log"; return 1; }
	registry_inspect "$_rg_remote" --raw >"$OCI_TMP/rm.reg" 2>"$_rg_log" ||
		{ reg_fail "registry_roundtrip: skopeo inspect $_rg_remote failed:"; reg_show "$_rg_log"; return 1; }
	registry_copy "$_rg_remote" "oci:$_rg_back:$_rg_tag" >"$_rg_log" 2>&1 ||
		{ reg_fail "registry_roundtrip: skopeo copy $_rg_remote oci:$_rg_back:$_rg_tag failed:"; reg_show "$_rg_log"; return 1; }
	oci_skopeo inspect --raw "oci:$_rg_back:$_rg_tag" >"$OCI_TMP/rm.back" 2>"$_rg_log" ||
		{ reg_fail "registry_roundtrip: cannot read oci:$_rg_back:$_rg_tag:"; reg_show "$_rg_log"; return 1; }
	_rg_s=$(oci_sha256 "$OCI_TMP/rm.src")
	_rg_r=$(oci_sha256 "$OCI_TMP/rm.reg")
	_rg_b=$(oci_sha256 "$OCI_TMP/rm.back")
	# shellcheck disable=SC2034  # for the caller
	ROUNDTRIP_LAYOUT=$_rg_back
	# shellcheck disable=SC2034
	ROUNDTRIP_DIGEST=$_rg_b
	if [ "$_rg_s" != "$_rg_r" ] || [ "$_rg_s" != "$_rg_b" ]; then
		reg_fail "registry_roundtrip: manifest digest changed: $_rg_s in $1, $_rg_r in the registry, $_rg_b after the copy back"
		return 1
	fi
}

registry_curl() {
	[ $# -ge 1 ] || { reg_fail "registry_curl: usage: registry_curl PATH [CURL-OPTIONS...]"; return 1; }
	_rg_path=$1
	shift
	if [ -n "$REG_CA" ]; then
		curl -sS --max-time 10 --cacert "$REG_CA" "$@" "$REG_URL$_rg_path"
	else
		curl -sS --max-time 10 "$@" "$REG_URL$_rg_path"
	fi
}
