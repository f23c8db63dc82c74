# Findings 1-3: whiteouts and symbolic links. A base image's layers, or a
# build's own layer, must never delete or write outside the rootfs: a
# whiteout (.wh.NAME, .wh..wh..opq) under a path that is a symbolic link is
# resolved inside the rootfs, as a chroot would (containerd's rule), and a
# build refuses to store a name that a reader would take for a whiteout.
HOSTILE="${OCI_PYTHON:-python3} $KF_TESTDATA/hostile-oci.py"
W=$T/wh
mkdir -p "$W"

# wh_base NAME JSON: a layout $W/NAME holding the image of JSON, tag v1
wh_base() {
	printf '%s' "$2" | $HOSTILE "$W/$1" || not_ok "hostile-oci.py $1"
}
# wh_build NAME KUBEFILE-TEXT [KFC-BUILD-OPTIONS]: builds context $W/NAME.ctx
wh_build() {
	n=$1 kf=$2
	shift 2
	mkdir -p "$W/$n.ctx"
	printf '%s\n' "$kf" >"$W/$n.ctx/Kubefile"
	expect_status "${WANT:-0}" "$n: kfc build" "$KFC" build --progress=quiet "$@" "$W/$n.ctx"
}

# 1. a base with manifests/l -> HOST/dir, then a whiteout through the link:
# discovery (no RUN) and the staged rootfs (RUN) both apply it
wh_base link-wh "{\"tag\":\"v1\",\"layers\":[[{\"name\":\"manifests/l\",\"type\":\"symlink\",\"target\":\"$HOST/dir\"}],[{\"name\":\"manifests/l/.wh.keep.txt\",\"data\":\"\"}]]}"
wh_build link-wh "FROM oci:$W/link-wh:v1
LABEL a=b"
host_intact "1a. whiteout under a linked folder, discovery"
wh_build link-wh-run "FROM oci:$W/link-wh:v1
RUN true" --isolation=none
host_intact "1b. whiteout under a linked folder, staged rootfs"

# the opaque marker under a link would empty the host folder
wh_base link-opq "{\"tag\":\"v1\",\"layers\":[[{\"name\":\"manifests/l\",\"type\":\"symlink\",\"target\":\"$HOST/dir\"}],[{\"name\":\"manifests/l/.wh..wh..opq\",\"data\":\"\"}]]}"
wh_build link-opq "FROM oci:$W/link-opq:v1
LABEL a=b"
host_intact "1c. opaque marker under a linked folder"

# a relative link that climbs out of the rootfs
up=../../../../../../../../../../../../../../../../../../../..
wh_base link-rel "{\"tag\":\"v1\",\"layers\":[[{\"name\":\"manifests/r\",\"type\":\"symlink\",\"target\":\"$up$HOST\"}],[{\"name\":\"manifests/r/.wh.secret.txt\",\"data\":\"\"},{\"name\":\"manifests/r/dir/.wh..wh..opq\",\"data\":\"\"}]]}"
wh_build link-rel "FROM oci:$W/link-rel:v1
RUN true" --isolation=none
host_intact "1d. whiteouts under a relative link that climbs out"

# a whiteout of the link's own name removes the link, not what it names
wh_base link-self "{\"tag\":\"v1\",\"layers\":[[{\"name\":\"manifests/l\",\"type\":\"symlink\",\"target\":\"$HOST/dir\"}],[{\"name\":\"manifests/.wh.l\",\"data\":\"\"}]]}"
wh_build link-self "FROM oci:$W/link-self:v1
RUN test ! -e manifests/l" --isolation=none
host_intact "1e. whiteout of the link itself"

# a file written through a link lands inside the rootfs, as a chroot has it
wh_base link-write "{\"tag\":\"v1\",\"layers\":[[{\"name\":\"manifests/l\",\"type\":\"symlink\",\"target\":\"$HOST/dir\"}],[{\"name\":\"manifests/l/keep.txt\",\"data\":\"pwned\\n\"}]]}"
wh_build link-write "FROM oci:$W/link-write:v1
RUN test \"\$(cat .$HOST/dir/keep.txt)\" = pwned" --isolation=none
host_intact "1f. a file written under a linked folder"

# a hard link to a host file through a linked folder
wh_base link-hard "{\"tag\":\"v1\",\"layers\":[[{\"name\":\"manifests/l\",\"type\":\"symlink\",\"target\":\"$HOST\"}],[{\"name\":\"manifests/h\",\"type\":\"hardlink\",\"target\":\"manifests/l/secret.txt\"}],[{\"name\":\"manifests/h\",\"data\":\"pwned\\n\"}]]}"
WANT=1 wh_build link-hard "FROM oci:$W/link-hard:v1
RUN true" --isolation=none
expect_err "manifests/h: a hard link to manifests/l/secret.txt, which is not a file of the image" \
	"1g. a hard link through a link to a host file is refused"
host_intact "1g. hard link through a linked folder"

# 2. the same from a plain Kubefile: the context's d/l is a link to a host
# folder, e/l/.wh.keep.txt an ordinary file
C=$W/copy.ctx
mkdir -p "$C/d" "$C/e/l"
ln -s "$HOST/dir" "$C/d/l"
printf '' >"$C/e/l/.wh.keep.txt"
WANT=1 wh_build copy "FROM scratch
COPY e d manifests/"
expect_err "Kubefile:2:1: error: manifests/l/.wh.keep.txt: a name that begins with .wh. would be read as a deletion (an OCI whiteout); rename the file or leave it out" \
	"2. COPY of a .wh. file under a linked folder is refused at its line"
host_intact "2. COPY e d manifests/"

# a link and a directory of the same name in one layer
C=$W/clash.ctx
mkdir -p "$C/d" "$C/e/l"
ln -s "$HOST/dir" "$C/d/l"
printf 'x\n' >"$C/e/l/keep.txt"
WANT=1 wh_build clash "FROM scratch
COPY e d manifests/"
expect_err "Kubefile:2:1: error: manifests/l is a symbolic link in this layer, and manifests/l/keep.txt is under it" \
	"2b. a link and a folder of one name in one layer are refused"
host_intact "2b. COPY of a link over a folder"

# 3. a context file named .wh.* would hide a file for every reader
C=$W/plain.ctx
mkdir -p "$C/d"
printf 'a: 1\n' >"$C/d/config"
printf '' >"$C/d/.wh.config"
WANT=1 wh_build plain "FROM scratch
COPY d /d/"
expect_err "Kubefile:2:1: error: d/.wh.config: a name that begins with .wh. would be read as a deletion (an OCI whiteout); rename the file or leave it out" \
	"3. a context file named .wh.config is refused at its line"

# ... and so is one that a RUN makes, or one in an ADD archive
WANT=1 wh_build run-wh "FROM scratch
RUN mkdir -p etc && touch etc/.wh.passwd" --isolation=none
expect_err "Kubefile:2:1: error: etc/.wh.passwd: a name that begins with .wh. would be read as a deletion" \
	"3b. a .wh. file made by RUN is refused"
mkdir -p "$W/add.ctx/src/x"
printf '' >"$W/add.ctx/src/x/.wh..wh..opq"
tar -C "$W/add.ctx/src" -cf "$W/add.ctx/a.tar" x
WANT=1 wh_build add "FROM scratch
ADD a.tar /opt/"
expect_err "Kubefile:2:1: error: opt/x/.wh..wh..opq: a name that begins with .wh. would be read as a deletion" \
	"3c. an opaque marker in an ADD archive is refused"

# a RUN that turns a folder into a link: one whiteout for the folder, none
# under the link (a sibling "a-x" sorts between "a" and "a/f" in byte order)
C=$W/retype.ctx
mkdir -p "$C/m/a" "$C/m/a-x"
printf 'f\n' >"$C/m/a/f"
printf 'g\n' >"$C/m/a-x/g"
wh_build retype "FROM scratch
COPY m /m/
RUN rm -rf m/a m/a-x && ln -s /elsewhere m/a" --isolation=none -o "oci:$W/retype.oci:v1"
if umoci_unpack "$W/retype.oci:v1" "$W/retype.root" 2>"$T/err" &&
	[ "$(readlink "$W/retype.root/rootfs/m/a")" = /elsewhere ] && [ ! -e "$W/retype.root/rootfs/m/a-x" ]; then
	ok "1h. a folder replaced by a link in a RUN unpacks as the link"
else
	not_ok "1h. a folder replaced by a link in a RUN"
	sed 's/^/# /' "$T/err"
fi
