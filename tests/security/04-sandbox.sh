# Finding 4: RUN's sandbox holds as root. bubblewrap started by root kept
# every capability: a RUN could remount the host's file system read-write,
# unmount its private /tmp and write host files, and it could read any host
# file (/root, /var...) into the image. Now it runs with Docker's default
# capabilities less the dangerous ones, sees only /usr, /bin, /lib*, /sbin,
# a list of /etc files, its rootfs, an empty /tmp, a minimal /dev and its
# own /proc (docs/build.md, "Security model").
if ! command -v bwrap >/dev/null 2>&1; then
	ok "4. # SKIP bwrap is not installed"
else
	S=$T/sandbox
	mkdir -p "$S/ctx"
	# a host folder outside /tmp, which RUN's /tmp would hide anyway
	SENT=$(mktemp -d /var/tmp/kfc-security.XXXXXX)
	printf 'secret\n' >"$SENT/secret.txt"
	printf 'x\n' >"$SENT/x"
	sb_build() { # NAME WANT KUBEFILE-TEXT
		printf '%s\n' "$3" >"$S/ctx/Kubefile"
		expect_status "$2" "$1: kfc build" "$KFC" build --progress=quiet --isolation=bwrap \
			-o "oci:$S/$1.oci:v1" "$S/ctx"
	}
	sb_file() { # NAME PATH: the content of PATH in the image's rootfs
		rm -rf "$S/$1.root"
		umoci_unpack "$S/$1.oci:v1" "$S/$1.root" >/dev/null 2>&1 && cat "$S/$1.root/rootfs/$2" 2>/dev/null
	}
	sb_build remount 1 "FROM scratch
RUN mount -o remount,rw,bind /usr"
	sb_build umount 1 "FROM scratch
RUN umount -l /tmp"
	# the attack: make / writable, then write a host file
	sb_build write 0 "FROM scratch
RUN mount -o remount,rw,bind / 2>/dev/null; umount -l /tmp 2>/dev/null; echo pwned > $SENT/x 2>/dev/null; true"
	[ "$(cat "$SENT/x")" = x ] && ok "4. RUN cannot write a host file" || not_ok "4. RUN wrote $SENT/x"
	# reading a host file into the image
	sb_build read 0 "FROM scratch
RUN cat $SENT/secret.txt > stolen 2>/dev/null; ls /root > root-listing 2>/dev/null; true"
	got=$(sb_file read stolen)
	[ -z "$got" ] && ok "4. RUN cannot read a host file into the image" || not_ok "4. RUN read '$got' from the host"
	got=$(sb_file read root-listing)
	[ -z "$got" ] && ok "4. RUN cannot list /root" || not_ok "4. RUN listed /root: $got"
	# what RUN does see: the tools, the rootfs, a writable /tmp, its own /proc
	sb_build sees 0 "FROM scratch
RUN sh -c 'test -x /bin/sh && test -w . && touch /tmp/t && test ! -e /home && test ! -e /var && test ! -e /root && test ! -e /opt && echo ok > sees'"
	[ "$(sb_file sees sees)" = ok ] && ok "4. RUN sees /bin, its rootfs and /tmp, and no /home, /var, /root, /opt" ||
		not_ok "4. RUN's view is not the documented one"
	if [ "$(id -u)" -eq 0 ]; then
		sb_build caps 0 "FROM scratch
RUN grep -E '^(CapEff|NoNewPrivs):' /proc/self/status > caps; mkdir -p /tmp/m; mount -t tmpfs none /tmp/m 2>/dev/null && echo mounted >> caps; true"
		got=$(sb_file caps caps | tr '\t' ' ')
		want="CapEff: 00000000000000fb
NoNewPrivs: 1"
		[ "$got" = "$want" ] && ok "4. RUN as root keeps only chown, dac_override, fowner, fsetid, kill, setgid, setuid, cannot gain more, cannot mount" ||
			not_ok "4. RUN's capabilities: $got"
		# chown, as Dockerfile authors use it, still works
		sb_build chown 0 "FROM scratch
RUN touch f && chown 1000:1000 f"
	fi
	rm -rf "$SENT"
fi
