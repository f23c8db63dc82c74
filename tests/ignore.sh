#!/bin/sh
# ignore.sh - the build context's ignore file (docs/build.md, "Ignore
# files"): a context with .git/, secrets, node_modules/**, nested '!'
# exceptions and an -o oci: output folder inside it, built with COPY . .
# and unpacked with umoci, gives exactly the files expected; changing an
# ignored file leaves the cache key alone; sources that name ignored files
# fail as buildah fails them; an invalid pattern is located; the file's
# precedence; kflint's KF222 and kfc imagelist follow the same file.
. "$(dirname "$0")/lib.sh"

command -v umoci >/dev/null 2>&1 || { echo "umoci not found: skipped"; exit 77; }
KFLINT=$(dirname "$KFC")/kflint
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export KFC_STORE="$T/store"
build() { SOURCE_DATE_EPOCH=1700000000 "$KFC" build --progress=plain --build-mode=lite "$@"; }
# rootfs_files LAYOUT:TAG: the unpacked image's paths, sorted
rootfs_files() {
	rm -rf "$T/bundle"
	umoci unpack --rootless --image "$1" "$T/bundle" >/dev/null 2>&1 || { echo "umoci unpack $1 failed"; return; }
	(cd "$T/bundle/rootfs" && find . -mindepth 1 | LC_ALL=C sort)
}
put() { for f in "$@"; do mkdir -p "$(dirname "$C/$f")" && printf '%s\n' "$f" >"$C/$f"; done; }

# ---- COPY . . of a context with things to leave out ------------------------------------------
C=$T/ctx
put .git/config .git/objects/ab/cd .env .env.example server.pem sub/server.pem sub/id_rsa sub/id_rsa.pub \
	node_modules/x.js node_modules/a/b/c.js keep/this keep/that README.md manifests/app.yaml manifests/skip.yaml \
	docs/a.md docs/public/index.md docs/public/draft/wip.md docs/public/draft/ok.md "sp ace"
printf 'FROM scratch\nCOPY . .\n' >"$C/Kubefile"
cat >"$C/.dockerignore" <<'EOF2'
# secrets and the repository
.git
.env
**/id_rsa
*.pem
node_modules/**
   sp ace   
# a folder left out but for one file
keep
!keep/this
# a leading '/' is the context's root
/manifests/skip.yaml
# nested exceptions: the last line that applies wins
docs
!docs/public
docs/public/draft
!docs/public/draft/ok.md
EOF2
cd "$C" || exit 99
if build -o oci:out:v1 . >"$T/out1" 2>&1 && build -o oci:out:v2 . >"$T/out2" 2>&1; then
	ok "COPY . . builds twice with its output folder inside the context"
else
	not_ok "the build"; sed 's/^/# /' "$T/out1" "$T/out2"
fi
cat >"$T/want" <<'EOF2'
./.dockerignore
./.env.example
./Kubefile
./README.md
./docs
./docs/public
./docs/public/draft
./docs/public/draft/ok.md
./docs/public/index.md
./keep
./keep/this
./manifests
./manifests/app.yaml
./node_modules
./sub
./sub/id_rsa.pub
./sub/server.pem
EOF2
rootfs_files out:v2 >"$T/got"
compare "$T/want" "$T/got" "the rootfs holds exactly what .dockerignore and the output folder leave"
grep -q '=> CACHED' "$T/out2" && ok "the output folder written by the first build does not change the key" ||
	{ not_ok "the second build was not cached"; sed 's/^/# /' "$T/out2"; }

# changing, adding and removing ignored files leaves the cache key alone
printf 'changed\n' >"$C/server.pem"
printf 'changed\n' >"$C/node_modules/a/b/c.js"
printf 'changed\n' >"$C/.git/config"
printf 'new\n' >"$C/new.pem"
rm "$C/.env"
build -o oci:out:v3 . >"$T/out3" 2>&1
grep -q '^\[1/1\] => CACHED' "$T/out3" && ok "changing ignored files keeps the step CACHED" ||
	{ not_ok "an ignored file's change invalidated the cache"; sed 's/^/# /' "$T/out3"; }
printf 'changed\n' >"$C/keep/this"
build -o oci:out:v4 . >"$T/out4" 2>&1
grep -q '=> CACHED' "$T/out4" && { not_ok "a kept file's change did not invalidate the cache"; sed 's/^/# /' "$T/out4"; } ||
	ok "changing a kept file (re-included by an exception) rebuilds the step"

# ---- sources that name what is left out: errors, as buildah has them -------------------------
printf 'FROM scratch\nCOPY server.pem /\nCOPY *.pem /x/\nCOPY keep/this /k\nCOPY out /o\n' >"$C/Kubefile.bad"
build -f Kubefile.bad -o oci:out:v5 . >"$T/out" 2>&1
grep 'error:' "$T/out" >"$T/got"
cat >"$T/want" <<'EOF2'
Kubefile.bad:2:6: error: source 'server.pem' is left out of the build context: .dockerignore:5 excludes it [KF504]
Kubefile.bad:3:6: error: source '*.pem' matches no file in the build context: .dockerignore leaves out the 2 it matches [KF504]
Kubefile.bad:5:6: error: source 'out' is left out of the build context: it is an output of this build (-o) [KF504]
EOF2
compare "$T/want" "$T/got" "a source left out is an error, a kept one (keep/this) is not"

# ---- an invalid pattern, located --------------------------------------------------------------
printf '.git\n  [abc\n' >"$C/.kubefileignore"
build . >"$T/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -qx "kfc build: $C/.kubefileignore:2:3: '\[' is not closed by ']' \[KF620\]" "$T/out" &&
	ok "an invalid pattern fails the build at file:line:col" || { not_ok "invalid pattern (rc $rc)"; sed 's/^/# /' "$T/out"; }

# ---- which file: .kubefileignore, else .containerignore, else .dockerignore -----------------
D=$T/prec
mkdir -p "$D" && printf 'FROM scratch\nCOPY . .\n' >"$D/Kubefile" && : >"$D/a" && : >"$D/b" && : >"$D/c"
printf 'a\n' >"$D/.dockerignore"
printf 'b\n' >"$D/.containerignore"
printf 'c\n' >"$D/.kubefileignore"
(cd "$D" && build -o "oci:$T/prec-out:1" . >/dev/null 2>&1)
rm "$D/.kubefileignore"
(cd "$D" && build -o "oci:$T/prec-out:2" . >/dev/null 2>&1)
rm "$D/.containerignore"
(cd "$D" && build -o "oci:$T/prec-out:3" . >/dev/null 2>&1)
got=$(for t in 1 2 3; do rootfs_files "$T/prec-out:$t" | grep -x '\./[abc]' | tr -d './\n'; echo; done | tr '\n' ' ')
[ "$got" = "ab ac bc " ] && ok ".kubefileignore wins over .containerignore, which wins over .dockerignore" ||
	not_ok "precedence: $got"

# ---- no ignore file: the output folder is still left out -------------------------------------
E=$T/plain
mkdir -p "$E/sub" && printf 'FROM scratch\nCOPY . /ctx/\n' >"$E/Kubefile" && : >"$E/sub/f"
(cd "$E/sub" && build -o oci:../o:v1 .. >/dev/null 2>&1 && build -o oci:../o:v2 -o oci-archive:../o.tar .. >/dev/null 2>&1)
rootfs_files "$E/o:v2" >"$T/got"
printf './ctx\n./ctx/Kubefile\n./ctx/sub\n./ctx/sub/f\n' >"$T/want"
compare "$T/want" "$T/got" "without an ignore file, the -o folder (given relative to another folder) is left out"

# ---- kflint KF222 reads the same file ------------------------------------------------------------
F=$T/lint
mkdir -p "$F/.git" "$F/certs" && : >"$F/.git/HEAD" && : >"$F/certs/tls.key" && : >"$F/id_ed25519.pub" && : >"$F/.env.sample"
printf 'FROM scratch\nCOPY . .\nCOPY certs /etc/certs\n' >"$F/Kubefile"
(cd "$F" && "$KFLINT" --no-shellcheck Kubefile) >"$T/got" 2>&1
cat >"$T/want" <<'EOF2'
Kubefile:2:6: warning: '.' takes .git/ and certs/tls.key into the image: leave them out in a .dockerignore file [KF222]
  COPY . .
       ^
Kubefile:3:6: warning: 'certs' takes tls.key into the image: leave it out in a .dockerignore file [KF222]
  COPY certs /etc/certs
       ^~~~~
EOF2
compare "$T/want" "$T/got" "KF222 names .git/ and a key a COPY would take"
printf '.git\ncerts\n!certs/tls.key\n' >"$F/.dockerignore"
(cd "$F" && "$KFLINT" --no-shellcheck Kubefile) >"$T/got" 2>&1
cat >"$T/want" <<'EOF2'
Kubefile:2:6: warning: '.' takes certs/tls.key into the image: leave it out in .dockerignore [KF222]
  COPY . .
       ^
Kubefile:3:6: warning: 'certs' takes tls.key into the image: leave it out in .dockerignore [KF222]
  COPY certs /etc/certs
       ^~~~~
EOF2
compare "$T/want" "$T/got" "KF222 honours the ignore file and its exceptions"
printf '.git\ncerts\n' >"$F/.dockerignore"
(cd "$F" && "$KFLINT" --no-shellcheck Kubefile) >"$T/got" 2>&1 && [ ! -s "$T/got" ] &&
	ok "KF222 is quiet when the ignore file leaves them out" || { not_ok "KF222 with an ignore file"; sed 's/^/# /' "$T/got"; }

# ---- kfc imagelist of a context folder ---------------------------------------------------------------
G=$T/il
mkdir -p "$G/manifests"
printf 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: nginx:1.25\n' >"$G/manifests/a.yaml"
printf 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: redis:7\n' >"$G/manifests/old.yaml"
printf 'manifests/old.yaml\n' >"$G/.dockerignore"
"$KFC" imagelist "$G" >"$T/got" 2>&1
printf 'docker.io/library/nginx:1.25\n' >"$T/want"
compare "$T/want" "$T/got" "kfc imagelist DIR leaves out what DIR's ignore file excludes"

finish
