#!/usr/bin/env python3
# bench/context.py OUT MIB SEED -- the build context of bench/build.sh and
# bench/remote-cache.sh: MIB MiB in many files of mixed sizes and
# compressibility, the same bytes for the same seed (described in
# bench/build.sh). Every file's time is 1700000000.
import os, random, sys

out, mb, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
total = mb << 20
rng = random.Random(seed)

words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 10)))
         for _ in range(4000)]
punct = [" ", " ", " ", " ", ", ", ". ", " = ", "(", ") ", ": ", "\n", "\n    "]
def text_pool(n):
    parts, size = [], 0
    while size < n:
        line = "".join(rng.choice(words) + rng.choice(punct) for _ in range(rng.randint(3, 14))) + "\n"
        parts.append(line)
        size += len(line)
    return "".join(parts).encode()[:n]

skew = bytes([0] * 128 + [rng.randrange(256) for _ in range(64)] + list(range(64)))
def binary(n):
    return rng.randbytes(n).translate(skew)

POOL = 16 << 20
text = text_pool(min(POOL, max(total // 4, 1 << 20)))
def content(kind, n):
    if kind == "text":
        parts, left = [], n
        while left > 0:
            k = min(left, rng.randint(4096, 65536))
            o = rng.randrange(0, len(text) - k) if len(text) > k else 0
            parts.append(text[o:o + k])
            left -= k
        return b"".join(parts)[:n]
    if kind == "binary":
        return binary(n)
    return rng.randbytes(n)

kinds = ["text", "binary", "random"]
weights = [5, 3, 2]
files = []
large = total // 8
for i, kind in enumerate(kinds):
    files.append(("large/%s-%d.dat" % (kind, i), kind, large))
left = total - 3 * large
small_budget = left * 2 // 5
while small_budget > 0:
    n = min(small_budget, int(rng.lognormvariate(7.5, 1.2)) % 16384 + 100)
    files.append((None, rng.choices(kinds, weights)[0], n))
    small_budget -= n
left = total - sum(f[2] for f in files)
while left > 0:
    n = min(left, rng.randint(64 << 10, 4 << 20))
    files.append((None, rng.choices(kinds, weights)[0], n))
    left -= n
rng.shuffle(files)

ext = {"text": [".go", ".yaml", ".txt", ".log", ".json"], "binary": [".so", ".bin", ""], "random": [".gz", ".png", ".tar.zst"]}
dirn, count = 0, 0
for name, kind, n in files:
    if name is None:
        if count >= 64:
            dirn, count = dirn + 1, 0
        count += 1
        name = "d%02d/sub%03d/f%05d%s" % (dirn % 37, dirn, count, rng.choice(ext[kind]))
    path = os.path.join(out, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(content(kind, n))
    os.utime(path, (1700000000, 1700000000))
