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

finish() {
	printf '%d passed, %d failed\n' "$kf_pass" "$kf_fail"
	[ "$kf_fail" -eq 0 ]
}
