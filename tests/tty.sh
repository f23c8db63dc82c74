#!/bin/sh
# tty.sh - kfc build at a terminal (docs/build.md, "Progress"): a build of
# about 200 MB under a pseudo-terminal (script, util-linux) 72 columns wide
# shows a running step's timer and counters, cuts no line wider than the
# terminal and no UTF-8 character in half, writes RUN output on lines of
# its own, shows the ARG and LAUNCH steps and names the digest once; then
# SIGINT during a COPY ends the build with 130 within a second, leaving
# the store's files as they were.
. "$(dirname "$0")/lib.sh"

command -v script >/dev/null 2>&1 || { echo "script (util-linux) not found: skipped"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipped"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export KFC_STORE="$T/store"
COLS=72

# tty OUT CMD: CMD (a shell command) under a pseudo-terminal of COLS
# columns, what it shows into OUT, its exit status; `pid` gets kfc's PID
tty() {
	out=$1
	shift
	COLUMNS=$COLS script -qfec "stty cols $COLS rows 24 2>/dev/null; echo \$\$ >'$T/pid'; exec $*" /dev/null \
		</dev/null >"$out" 2>&1
}

script -qfec true /dev/null </dev/null >/dev/null 2>&1 || { echo "no pseudo-terminal: skipped"; exit 77; }

# the context: 300 small files, 64 MB of random bytes, 136 MB of zeros
C=$T/ctx
mkdir -p "$C/big"
i=0
while [ $i -lt 300 ]; do
	echo $i >"$C/big/f$i"
	i=$((i + 1))
done
head -c 64000000 /dev/urandom >"$C/big/random.bin"
truncate -s 136000000 "$C/big/zero.bin"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n' >"$C/x.yaml"
cat >"$C/Kubefile" <<'KUBEFILE'
FROM scratch
ARG VERSION=1.0
COPY big /big
RUN echo hello from run; echo to stderr >&2; printf 'no newline'
LABEL description="ünïcødé 日本語のラベル、端末の幅より長い行は文字の途中で切らずに省略されるはずです"
APP x local://x.yaml
LAUNCH ["x"]
KUBEFILE

tty "$T/run1.log" "'$KFC' build --build-mode=lite --isolation=none --iidfile '$T/iid' -t tty:v1 '$C'"
rc=$?
if [ $rc -eq 0 ]; then ok "the build at a terminal succeeds"; else
	not_ok "the build at a terminal (exit $rc)"; sed 's/^/# /' "$T/run1.log" | tail -20; fi

# what the terminal showed: every frame (the text between \r and \n) and
# the lines left on the screen, checked in Python
python3 - "$T/run1.log" "$COLS" "$(cat "$T/iid" 2>/dev/null)" >"$T/py.out" <<'PY'
import re, sys, unicodedata
raw = open(sys.argv[1], 'rb').read()
cols, digest = int(sys.argv[2]), sys.argv[3]
fails = []
def check(ok, name):
    print(('ok - ' if ok else 'not ok - ') + name)
    if not ok:
        fails.append(name)
try:
    text = raw.decode('utf-8')
    check(True, 'what the terminal shows is valid UTF-8: no character cut in half')
except UnicodeDecodeError as e:
    check(False, 'valid UTF-8: %s' % e)
    text = raw.decode('utf-8', 'replace')
text = text.replace('\r\n', '\n')  # the terminal's own line ends
def width(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in s)
frames = [f.replace('\x1b[K', '') for f in re.split(r'[\r\n]', text)]
wide = [f for f in frames if width(f) > cols]
check(not wide, 'no frame is wider than the terminal (%d columns)' % cols)
for f in wide[:3]:
    print('#   %d: %s' % (width(f), f))
running = [f for f in frames if re.match(r'\[2/6\] COPY big /big  \d+\.\ds  \d+ entr(y|ies), [0-9.]+ [kMG]?B', f)]
counting = [f for f in running if re.search(r', (?!0 B)[0-9.]+ [kMG]?B', f)]
check(counting, 'an intermediate frame of the COPY shows its timer and a byte count above zero')
print('#   ' + (counting[len(counting) // 2] if counting else repr(frames[:8])))
# the screen: \r returns, ESC[K clears the rest of the line, \n moves on
lines, cur, col = [], [], 0
i = 0
while i < len(text):
    if text.startswith('\x1b[K', i):
        del cur[col:]
        i += 3
        continue
    c = text[i]
    if c == '\r':
        col = 0
    elif c == '\n':
        lines.append(''.join(cur))
        cur, col = [], 0
    else:
        if col < len(cur):
            cur[col] = c
        else:
            cur.append(c)
        col += 1
    i += 1
if cur:
    lines.append(''.join(cur))
for want in ('hello from run', 'to stderr', 'no newline'):
    check(want in lines, 'the RUN output %r is a line of its own' % want)
check('[1/6] ARG VERSION=1.0' in lines, 'the ARG step is shown')
check('[6/6] LAUNCH ["x"]' in lines, 'the LAUNCH step is shown')
check(any(re.match(r'\[2/6\] COPY big /big  [0-9.]+ [kMG]?B \([0-9.]+ [kMG]?B in 303 entries\)  [0-9.]+s$', l) for l in lines),
      "the COPY's result")
label = [l for l in lines if l.startswith('[4/6] LABEL description="ünïcødé 日本語')]
check(label and label[0].endswith('…'), 'a step too wide for the terminal is cut, with …')
check(len(digest) == 71 and text.count(digest) == 1 and digest in lines,
      'the digest is shown once, on a line of its own (standard output is the terminal)')
sys.exit(1 if fails else 0)
PY
py=$?
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) not_ok "${line#not ok - }" ;;
	*) printf '%s\n' "$line" ;;
	esac
done <"$T/py.out"
[ $py -ne 0 ] && tr '\r' '\n' <"$T/run1.log" | grep -v '^$' | tail -25 | sed 's/^/# /'

# ---- SIGINT during a COPY ------------------------------------------------------------------
# level 9 on one thread: the random megabytes take seconds, so the signal
# comes while the layer is written
(cd "$KFC_STORE" && find . | sort) >"$T/store.before"
rm -f "$T/pid"
(
	tty "$T/run2.log" "'$KFC' build --build-mode=lite --isolation=none --no-cache --compression-level=9 --threads=1 -t tty:v2 '$C'"
	echo $? >"$T/rc2"
) &
bg=$!
n=0
while [ $n -lt 300 ] && ! grep -aq '\[2/6\] COPY big /big  [0-9.]*s  [0-9]* entr[a-z]*, [1-9]' "$T/run2.log" 2>/dev/null; do
	sleep 0.05
	n=$((n + 1))
done
start=$(date +%s%N)
kill -INT "$(cat "$T/pid")"
wait $bg
end=$(date +%s%N)
ms=$(((end - start) / 1000000))
rc=$(cat "$T/rc2")
if [ "$rc" -eq 130 ] && [ $ms -lt 1000 ]; then
	ok "SIGINT during a COPY: exit 130 after ${ms} ms"
else
	not_ok "SIGINT during a COPY: exit $rc after ${ms} ms"; tr '\r' '\n' <"$T/run2.log" | tail -8 | sed 's/^/# /'
fi
if grep -aq '\[2/6\] COPY big /big  interrupted' "$T/run2.log" && grep -aq 'kfc build: interrupted: nothing was written' "$T/run2.log"
then ok "the interrupted step and the build say so"; else
	not_ok "the interrupted step and the build say so"; tr '\r' '\n' <"$T/run2.log" | tail -8 | sed 's/^/# /'; fi
(cd "$KFC_STORE" && find . | sort) >"$T/store.after"
compare "$T/store.before" "$T/store.after" "the interrupted build left the store's files as they were"

# ---- standard output not a terminal: the digest there too --------------------------------------
"$KFC" build --build-mode=lite --isolation=none --progress=tty --iidfile "$T/iid3" -t tty:v1 "$C" >"$T/out3" 2>"$T/err3"
d=$(cat "$T/iid3")
if [ "$(cat "$T/out3")" = "$d" ] && [ "$(grep -c "$d" "$T/err3")" -eq 1 ]; then
	ok "with standard output a file, the digest goes there as well"
else
	not_ok "with standard output a file, the digest goes there as well"; sed 's/^/# /' "$T/out3"
fi
finish
