# Finding 6: a heap use after free in the unpacker (the entry's name was
# used in an error message after libarchive had freed it), reached by ADD
# of a tar with a hard link to a missing or refused target. Under ASan
# (make check in the sanitizer build) the old code aborts; every build must
# give the located error.
U=$T/unpack
mkdir -p "$U/ctx"
python3 - "$U/ctx" <<'PY'
import io, sys, tarfile
def tar(path, entries):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
        for name, kind, target in entries:
            ti = tarfile.TarInfo(name)
            ti.mtime = 1600000000
            if kind == "link":
                ti.type = tarfile.LNKTYPE
                ti.linkname = target
                t.addfile(ti)
            elif kind == "sym":
                ti.type = tarfile.SYMTYPE
                ti.linkname = target
                t.addfile(ti)
            else:
                data = target.encode()
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
d = sys.argv[1]
tar(d + "/missing.tar", [("a", "file", "a\n"), ("h", "link", "missing")])
tar(d + "/climb.tar", [("a", "file", "a\n"), ("h", "link", "../../../../../../../etc/passwd")])
tar(d + "/abs.tar", [("h", "link", "/etc/passwd")])
tar(d + "/viasym.tar", [("l", "sym", "/etc"), ("h", "link", "l/passwd")])
tar(d + "/writesym.tar", [("l", "sym", "/etc"), ("l/kfc-pwned", "file", "pwned\n")])
PY
for t in missing:missing climb:../../../../../../../etc/passwd abs:/etc/passwd viasym:l/passwd; do
	n=${t%%:*} target=${t#*:}
	printf 'FROM scratch\nADD %s.tar /opt/\n' "$n" >"$U/ctx/Kubefile"
	expect_status 1 "6. ADD of a tar with a hard link to $target" "$KFC" build --progress=quiet "$U/ctx"
	expect_err "Kubefile:2:1: error: $U/ctx/$n.tar: h: a hard link to $target, which is not a file of the archive" \
		"6. the hard link to $target is refused, named"
done
# a file written under a link of the archive stays in the extraction
printf 'FROM scratch\nADD writesym.tar /opt/\n' >"$U/ctx/Kubefile"
expect_status 0 "6b. ADD of a tar that writes under its own link to /etc" "$KFC" build --progress=quiet -o "oci:$U/ws:v1" "$U/ctx"
[ ! -e /etc/kfc-pwned ] && ok "6b. nothing was written to /etc" || { not_ok "6b. /etc/kfc-pwned was written"; rm -f /etc/kfc-pwned; }
