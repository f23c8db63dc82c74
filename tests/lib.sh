# lib.sh - shared by the shell tests: locations, and counting results.
# Each test prints "ok - …" or "not ok - …" lines and ends with the plain
# summary line "N passed, N failed".

: "${KF_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${KF_TESTDATA:=$KF_SRCDIR/tests}"
if [ -z "${KFC:-}" ]; then
	for k in "$KF_SRCDIR/build/kfc" "$KF_SRCDIR/kfc" ./kfc; do
		[ -x "$k" ] && KFC=$k && break
	done
fi
[ -x "${KFC:-}" ] || { echo "kfc not found (set KFC)" >&2; exit 99; }
KFC=$(cd "$(dirname "$KFC")" && pwd)/$(basename "$KFC")
export LC_ALL=C NO_COLOR=1

kf_pass=0
kf_fail=0

ok() { kf_pass=$((kf_pass + 1)); printf 'ok - %s\n' "$*"; }
not_ok() { kf_fail=$((kf_fail + 1)); printf 'not ok - %s\n' "$*"; }

# compare EXPECTED-FILE ACTUAL-FILE NAME
compare() {
	if cmp -s "$1" "$2"; then
		ok "$3"
	else
		not_ok "$3"
		diff -u "$1" "$2" | head -40 | sed 's/^/# /'
	fi
}

# editor_samples DIR: the files the editor tests open: DIR/ft/ holds one
# sample under the names a filetype is detected by (and a Dockerfile), and
# DIR/p/ a Kubefile with a style hint and an error, beside the app it names
editor_samples() {
	mkdir -p "$1/ft" "$1/p/web"
	cat >"$1/ft/x.kubefile" <<'KF'
# a sample Kubefile
from scratch
ARG VERSION=1.0
COPY --chmod=0644 conf/${VERSION}/app.yaml /etc/app/
APP web local://web
APPCMDS web ["kubectl", "apply", "-f", "$VERSION"]
MAINTAINER O'Brien <ops@example.com>
RUN echo "v=$VERSION" 'x' a#b \
  && true
LAUNCH web
KF
	for f in Kubefile Kubefile.prod Dockerfile; do cp "$1/ft/x.kubefile" "$1/ft/$f"; done
	printf 'from   scratch\nAPP web local://web\nLAUNCH   web ghost\n' >"$1/p/Kubefile"
	printf 'kind: Namespace\n' >"$1/p/web/ns.yaml"
}

finish() {
	printf '%d passed, %d failed\n' "$kf_pass" "$kf_fail"
	[ "$kf_fail" -eq 0 ]
}
