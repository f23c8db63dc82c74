#!/usr/bin/env python3
"""helm-compare.py - compares what kfc and helm render from the same charts.

    helm-compare.py WORK DIFFERENCES.tsv

WORK holds one folder per chart with helm.yaml (`helm template dryrun CHART
--namespace default`), helm2.yaml (the same, rendered a second time), kfc.yaml (`kfc imagelist --render CHART`), images.txt
(`kfc imagelist CHART`, sorted) and expected.txt (the chart's EXPECTED.txt,
made by helm v3.8.1). Both renderings are split into their documents, each
keyed by its `# Source:` template; each document is parsed with PyYAML and
written back as canonical JSON, so that only meaning counts (quoting,
indentation, key order and comments do not). A template is equal when the
multisets of its documents are equal (helm orders documents by kind; the
order is not compared here). What helm renders differently in its two runs
(randAlphaNum, genCA, uuidv4…: kfc gives fixed values there, docs/imagelist.md)
is masked in both renderings: the leaves where helm's two runs differ, in the
documents at the same place of the same template, count as equal whatever kfc
put there.

DIFFERENCES.tsv lists the differences that are decisions, not bugs: lines
`CHART<TAB>TEMPLATE<TAB>reason` (TEMPLATE `images` for the image list). A
difference not listed fails; so does a listed one that no longer differs.
Prints one line per chart ("ok - …"/"not ok - …", TAP-like, with the first
lines of each difference as # comments) and a summary line
`charts N, images exact N/N, templates equal N/N (P%)`.
"""
import json
import os
import re
import sys

import yaml

SOURCE = re.compile(r"^# Source: (.*)$")


def split(text):
    """{template: [each non-empty document, parsed, in order]}"""
    out = {}
    docs = re.split(r"(?m)^---[ \t]*$", text)
    for d in docs:
        src = None
        for line in d.splitlines():
            m = SOURCE.match(line)
            if m:
                src = m.group(1).strip()
                break
        if src is None:
            if d.strip() == "":
                continue
            src = "(no source)"
        try:
            v = yaml.safe_load(d)
        except yaml.YAMLError as e:
            v = {"<invalid YAML>": str(e).splitlines()[0]}
        if v is None:
            continue
        out.setdefault(src, []).append(v)
    return out


RANDOM = "<differs between helm's runs>"


def masked(a, b):
    """a with every leaf where b differs replaced by RANDOM (None: equal)"""
    if a == b:
        return a
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        return {k: masked(a[k], b[k]) for k in a}
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [masked(x, y) for x, y in zip(a, b)]
    return RANDOM


def apply_mask(m, v):
    """v with RANDOM wherever the mask m has it"""
    if m == RANDOM:
        return RANDOM
    if isinstance(m, dict) and isinstance(v, dict):
        return {k: apply_mask(m[k], x) if k in m else x for k, x in v.items()}
    if isinstance(m, list) and isinstance(v, list) and len(m) == len(v):
        return [apply_mask(x, y) for x, y in zip(m, v)]
    return v


def canon(docs):
    return sorted(json.dumps(v, sort_keys=True, default=str) for v in docs)


def compare_sets(h, h2, k):
    """{template: (helm's canonical docs, kfc's)} with helm's random leaves masked"""
    out = {}
    for t in set(h) | set(k):
        hd, kd = h.get(t, []), k.get(t, [])
        h2d = h2.get(t)
        if h2d is not None and len(h2d) == len(hd) and h2d != hd:
            masks = [masked(a, b) for a, b in zip(hd, h2d)]
            hd = masks
            if len(kd) == len(masks):
                kd = [apply_mask(m, v) for m, v in zip(masks, kd)]
        out[t] = (canon(hd), canon(kd))
    return out


def first_diff(a, b, limit=6):
    import difflib

    def pretty(docs):
        lines = []
        for d in docs:
            lines += json.dumps(json.loads(d), indent=1, sort_keys=True).splitlines()
        return lines

    d = list(difflib.unified_diff(pretty(a), pretty(b), "helm", "kfc", n=1, lineterm=""))
    return d[2 : 2 + limit]


def main():
    work, diffs_path = sys.argv[1], sys.argv[2]
    allowed = {}
    with open(diffs_path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            chart, tmpl, reason = line.split("\t", 2)
            allowed[(chart, tmpl)] = reason
    used = set()
    charts = sorted(os.listdir(work))
    n_exact = n_tmpl = n_equal = 0
    failed = 0
    for c in charts:
        d = os.path.join(work, c)
        read = lambda n: open(os.path.join(d, n), encoding="utf-8", errors="replace").read()
        h, k = split(read("helm.yaml")), split(read("kfc.yaml"))
        h2 = split(read("helm2.yaml")) if os.path.exists(os.path.join(d, "helm2.yaml")) else {}
        sets = compare_sets(h, h2, k)
        problems = []
        for t in sorted(sets):
            n_tmpl += 1
            hs, ks = sets[t]
            if hs == ks:
                n_equal += 1
                continue
            if (c, t) in allowed:
                used.add((c, t))
                continue
            what = "only helm renders it" if t not in k else "only kfc renders it" if t not in h else "differs"
            problems.append((t, what, first_diff(hs, ks)))
        exp = sorted(set(read("expected.txt").split()))
        got = sorted(set(read("images.txt").split()))
        if exp == got:
            n_exact += 1
        elif (c, "images") in allowed:
            used.add((c, "images"))
        else:
            miss = [i for i in exp if i not in got]
            extra = [i for i in got if i not in exp]
            problems.append(("images", "missed %s, extra %s" % (miss, extra), []))
        if problems:
            failed += 1
            print("not ok - %s" % c)
            for t, what, lines in problems:
                print("# %s: %s" % (t, what))
                for l in lines:
                    print("#   " + l)
        else:
            print("ok - %s" % c)
    for key in sorted(set(allowed) - used):
        if key[0] in charts:
            failed += 1
            print("not ok - %s %s: listed in the differences but equal now: remove the line" % key)
    pct = 100.0 * n_equal / n_tmpl if n_tmpl else 100.0
    print("charts %d, images exact %d/%d, templates equal %d/%d (%.1f%%)" % (len(charts), n_exact, len(charts), n_equal, n_tmpl, pct))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
