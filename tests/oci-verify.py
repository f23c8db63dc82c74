#!/usr/bin/python3
"""oci-verify.py - check an OCI image layout (image-spec 1.1) completely.

Usage: oci-verify.py LAYOUT-DIR [--ref NAME] [--json] [--schemas DIR]

Checks, printing one line "WHERE: PROBLEM" per problem (exit 1 if any):
  - the oci-layout file and index.json (against the image-spec JSON schemas);
  - every descriptor reachable from index.json (nested indexes, manifests,
    configs, layers): the blob exists, its size and digest match, its
    mediaType fits where it is used, it is mode 0644;
  - manifests and configs against their schemas;
  - layers: the whole stream decompresses (gzip: every member, nothing after
    the last one; zstd: through the zstd CLI), is a valid tar with no
    absolute path and no '..' component, and hashes to its rootfs.diff_ids
    entry; the number of non-empty_layer history entries equals the number
    of layers;
  - no file in blobs/ that no descriptor reaches, and nothing at the top but
    oci-layout, index.json and blobs/ (leftovers of a failed build);
  - the sealer.image.extension and sealer.image.container.images
    annotations, when present, have the shapes of spec section 4.

--ref NAME   the manifest whose org.opencontainers.image.ref.name is NAME must
             exist; --json describes it.
--json       print a summary of one image (the --ref one, or the only one in
             index.json) as JSON on stdout; problems then go to stderr.
--schemas D  where the image-spec schemas are (default: Debian's
             golang-github-opencontainers-image-spec-dev, or OCI_SCHEMA_DIR).

Exit status: 0 no problem, 1 problems found, 2 usage error or missing
schemas.
"""

import argparse
import hashlib
import json
import os
import stat
import subprocess
import sys
import tarfile
import warnings
import zlib

import jsonschema

DEFAULT_SCHEMA_DIR = "/usr/share/gocode/src/github.com/opencontainers/image-spec/schema"

MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
MT_LAYER_GZIP = MT_LAYER_TAR + "+gzip"
MT_LAYER_ZSTD = MT_LAYER_TAR + "+zstd"
LAYER_TYPES = (MT_LAYER_TAR, MT_LAYER_GZIP, MT_LAYER_ZSTD)

REF_NAME = "org.opencontainers.image.ref.name"
ANN_EXTENSION = "sealer.image.extension"
ANN_IMAGES = "sealer.image.container.images"

CHUNK = 1 << 20


# --------------------------------------------------------------------------
# JSON schemas, resolved from local files only

class Schemas:
    """The image-spec schemas, with every $ref resolved to a file of DIR.

    The schemas name each other by relative references ("defs.json#/...")
    under https://opencontainers.org/schema/...; whatever the base, the last
    path component names the local file."""

    FILES = {
        "index": "image-index-schema.json",
        "manifest": "image-manifest-schema.json",
        "config": "config-schema.json",
        "layout": "image-layout-schema.json",
    }

    def __init__(self, directory):
        self.directory = directory
        self.docs = {}
        for name in os.listdir(directory):
            if name.endswith(".json"):
                with open(os.path.join(directory, name), encoding="utf-8") as f:
                    self.docs[name] = json.load(f)
        for needed in self.FILES.values():
            if needed not in self.docs:
                raise FileNotFoundError(os.path.join(directory, needed))
        self.validators = {k: self._validator(self.docs[f]) for k, f in self.FILES.items()}

    def _local(self, uri):
        name = uri.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        if name not in self.docs:
            raise LookupError("schema reference not available locally: " + uri)
        return self.docs[name]

    def _validator(self, schema):
        cls = jsonschema.Draft4Validator
        try:  # jsonschema >= 4.18
            import referencing
            import referencing.jsonschema

            def retrieve(uri):
                return referencing.Resource.from_contents(
                    self._local(uri), default_specification=referencing.jsonschema.DRAFT4)
            return cls(schema, registry=referencing.Registry(retrieve=retrieve))
        except ImportError:  # Debian 12: jsonschema 4.10, RefResolver
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                resolver = jsonschema.RefResolver.from_schema(
                    schema, handlers={"https": self._local, "http": self._local})
            return cls(schema, resolver=resolver)

    def check(self, kind, doc):
        """Yields one message per schema violation, sorted by path."""
        errors = sorted(self.validators[kind].iter_errors(doc), key=lambda e: (list(map(str, e.path)), e.message))
        for e in errors:
            where = "/".join(str(p) for p in e.path) or "(top)"
            yield "%s schema: %s: %s" % (kind, where, e.message)


# --------------------------------------------------------------------------
# Decompression: file-like readers that fail on anything but one clean stream

class LayerError(Exception):
    pass


class GzipStream:
    """Reads the decompressed bytes of a gzip file of one or more members (as
    Go's multistream reader does). After the last member, nothing may follow:
    trailing bytes raise LayerError (zero padding is named as such)."""

    def __init__(self, f):
        self.f = f
        self.d = zlib.decompressobj(wbits=31)
        self.pending = b""
        self.eof = False
        self.members = 1

    def _trailing(self, rest):
        more = self.f.read()
        total = len(rest) + len(more)
        if rest.strip(b"\0") == b"" and more.strip(b"\0") == b"":
            raise LayerError("%d zero bytes after the end of the gzip stream" % total)
        raise LayerError("%d bytes of trailing data after gzip member %d" % (total, self.members))

    def _fill(self):
        while not self.pending and not self.eof:
            if self.d.eof:
                rest = self.d.unused_data
                if len(rest) < 2:
                    rest += self.f.read(CHUNK)
                    if not rest:
                        self.eof = True
                        break
                if not rest.startswith(b"\x1f\x8b"):
                    self._trailing(rest)
                self.members += 1
                self.d = zlib.decompressobj(wbits=31)
                data = rest
            else:
                data = self.d.unconsumed_tail or self.f.read(CHUNK)
                if not data:
                    raise LayerError("gzip stream truncated (member %d has no end)" % self.members)
            try:
                self.pending = self.d.decompress(data, CHUNK)
            except zlib.error as e:
                raise LayerError("gzip member %d: %s" % (self.members, e)) from None

    def read(self, n=-1):
        out = []
        got = 0
        while n is None or n < 0 or got < n:
            self._fill()
            if not self.pending:
                break
            take = self.pending if n is None or n < 0 else self.pending[: n - got]
            self.pending = self.pending[len(take):]
            out.append(take)
            got += len(take)
        return b"".join(out)


class ZstdStream:
    """Decompressed bytes of a zstd blob, through `zstd -dc`; close() raises
    LayerError when zstd rejected the stream."""

    def __init__(self, path):
        try:
            self.p = subprocess.Popen(["zstd", "-dcq", "--", path],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except FileNotFoundError:
            raise LayerError("zstd CLI not found, cannot check a zstd layer") from None

    def read(self, n=-1):
        return self.p.stdout.read(n)

    def kill(self):
        """Stops zstd if it still runs and reaps it."""
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
        self.p.stdout.close()
        self.p.stderr.close()

    def close(self):
        self.p.stdout.read()
        err = self.p.stderr.read().decode(errors="replace").strip()
        if self.p.wait() != 0:
            raise LayerError("zstd -d failed: " + (err.splitlines()[-1] if err else "status %d" % self.p.returncode))


class HashingReader:
    """Passes reads through, hashing and counting every byte."""

    def __init__(self, inner):
        self.inner = inner
        self.h = hashlib.sha256()
        self.size = 0

    def read(self, n=-1):
        b = self.inner.read(n)
        self.h.update(b)
        self.size += len(b)
        return b

    def drain(self):
        while self.read(CHUNK):
            pass


def bad_member_path(name):
    """Why a tar member name is unsafe, or None."""
    if name.startswith("/"):
        return "absolute path"
    if ".." in name.split("/"):
        return "'..' component"
    return None


def scan_layer(path, media_type):
    """Decompresses and walks one layer blob. Returns (diff_id, size,
    entries, problems); diff_id is None when the stream did not decode."""
    problems = []
    entries = 0
    raw = zst = reader = None
    try:
        if media_type == MT_LAYER_ZSTD:
            zst = ZstdStream(path)
            reader = HashingReader(zst)
        else:
            raw = open(path, "rb")
            reader = HashingReader(GzipStream(raw) if media_type == MT_LAYER_GZIP else raw)
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:
                for m in tar:
                    entries += 1
                    why = bad_member_path(m.name)
                    if why:
                        problems.append("tar entry %r: %s" % (m.name, why))
                    if m.islnk():
                        why = bad_member_path(m.linkname)
                        if why:
                            problems.append("tar hard link %r -> %r: target has an %s" % (m.name, m.linkname, why))
        except tarfile.TarError as e:
            problems.append("not a valid tar: %s" % e)
        reader.drain()
        if zst:
            zst.close()
    except LayerError as e:
        problems.append(str(e))
        reader = None
    finally:
        if raw:
            raw.close()
        if zst:
            zst.kill()
    if reader is None:
        return None, 0, entries, problems
    return "sha256:" + reader.h.hexdigest(), reader.size, entries, problems


# --------------------------------------------------------------------------
# The layout

def short(digest):
    return digest.split(":", 1)[-1][:12] if isinstance(digest, str) else repr(digest)


class Verifier:
    def __init__(self, layout, schemas):
        self.layout = layout
        self.schemas = schemas
        self.problems = []
        self.reached = set()      # blob paths reached by some descriptor
        self.images = []          # summaries, one per manifest
        self.scanned = {}         # layer digest -> (diff_id, size, entries)

    def problem(self, where, msg):
        self.problems.append("%s: %s" % (where, msg))

    def rel(self, path):
        return os.path.relpath(path, self.layout)

    # -- files --------------------------------------------------------------

    def load_json(self, path, where):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            self.problem(where, "missing")
            return None
        except OSError as e:
            self.problem(where, "cannot read: %s" % e.strerror)
            return None
        try:
            return json.loads(data)
        except ValueError as e:
            self.problem(where, "not valid JSON: %s" % e)
            return None

    def check_schema(self, kind, doc, where):
        for msg in self.schemas.check(kind, doc):
            self.problem(where, msg)

    # -- descriptors ----------------------------------------------------------

    def blob(self, desc, where, allowed):
        """Checks one descriptor against its blob. Returns the blob's path if
        it exists and matches, else None."""
        if not isinstance(desc, dict):
            self.problem(where, "descriptor is not an object")
            return None
        digest, size, mt = desc.get("digest"), desc.get("size"), desc.get("mediaType")
        if mt not in allowed:
            self.problem(where, "mediaType %r is not one of %s" % (mt, ", ".join(allowed)))
        if not isinstance(digest, str) or ":" not in digest:
            self.problem(where, "digest %r is not ALGORITHM:HEX" % (digest,))
            return None
        alg, hexpart = digest.split(":", 1)
        if alg != "sha256":
            self.problem(where, "digest algorithm %r is not supported (only sha256)" % alg)
            return None
        if len(hexpart) != 64 or any(c not in "0123456789abcdef" for c in hexpart):
            self.problem(where, "digest %s is not 64 lowercase hex digits" % digest)
            return None
        path = os.path.join(self.layout, "blobs", alg, hexpart)
        self.reached.add(path)
        if not os.path.isfile(path):
            self.problem(where, "blob %s missing" % self.rel(path))
            return None
        h = hashlib.sha256()
        n = 0
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(CHUNK), b""):
                h.update(chunk)
                n += len(chunk)
        ok = True
        if size != n:
            self.problem(where, "size %s in the descriptor, blob %s has %d bytes" % (size, short(digest), n))
            ok = False
        if "sha256:" + h.hexdigest() != digest:
            self.problem(where, "blob %s hashes to sha256:%s" % (short(digest), h.hexdigest()))
            ok = False
        return path if ok else None

    # -- documents ----------------------------------------------------------

    def check_layout_file(self):
        doc = self.load_json(os.path.join(self.layout, "oci-layout"), "oci-layout")
        if doc is None:
            return
        self.check_schema("layout", doc, "oci-layout")
        if isinstance(doc, dict) and doc.get("imageLayoutVersion") != "1.0.0":
            self.problem("oci-layout", "imageLayoutVersion is %r, expected \"1.0.0\"" % (doc.get("imageLayoutVersion"),))

    def check_index(self, doc, where, depth=0):
        self.check_schema("index", doc, where)
        if not isinstance(doc, dict):
            return
        if doc.get("mediaType") not in (None, MT_INDEX):
            self.problem(where, "mediaType %r in the document, expected %s" % (doc.get("mediaType"), MT_INDEX))
        manifests = doc.get("manifests")
        if not isinstance(manifests, list):
            return
        for i, desc in enumerate(manifests):
            dwhere = "%s manifests[%d]" % (where, i)
            path = self.blob(desc, dwhere, (MT_MANIFEST, MT_INDEX))
            if path is None:
                continue
            sub = self.load_json(path, "manifest " + short(desc["digest"]))
            if sub is None:
                continue
            if desc.get("mediaType") == MT_INDEX:
                if depth > 8:
                    self.problem(dwhere, "indexes nested more than 8 deep")
                else:
                    self.check_index(sub, "index " + short(desc["digest"]), depth + 1)
            else:
                self.check_manifest(desc, sub)

    def check_manifest(self, desc, doc):
        digest = desc["digest"]
        where = "manifest " + short(digest)
        self.check_schema("manifest", doc, where)
        if not isinstance(doc, dict):
            return
        if doc.get("mediaType") not in (None, MT_MANIFEST):
            self.problem(where, "mediaType %r in the document, expected %s" % (doc.get("mediaType"), MT_MANIFEST))
        summary = {
            "ref": (desc.get("annotations") or {}).get(REF_NAME),
            "index_annotations": desc.get("annotations") or {},
            "platform": desc.get("platform"),
            "manifest": {"digest": digest, "size": desc.get("size")},
            "annotations": doc.get("annotations") or {},
            "layers": [],
        }
        self.images.append(summary)
        self.check_annotations(doc.get("annotations"), where)

        config, cpath = doc.get("config"), None
        if config is not None:
            cpath = self.blob(config, where + " config", (MT_CONFIG,))
            if isinstance(config, dict):
                summary["config"] = {"digest": config.get("digest"), "size": config.get("size")}
        layers = doc.get("layers") if isinstance(doc.get("layers"), list) else []
        diff_ids = []
        for i, ldesc in enumerate(layers):
            lwhere = "%s layers[%d]" % (where, i)
            lpath = self.blob(ldesc, lwhere, LAYER_TYPES)
            entry = {"digest": ldesc.get("digest"), "size": ldesc.get("size"),
                     "mediaType": ldesc.get("mediaType")} if isinstance(ldesc, dict) else {}
            summary["layers"].append(entry)
            if lpath is None or ldesc.get("mediaType") not in LAYER_TYPES:
                diff_ids.append(None)
                continue
            if ldesc["digest"] not in self.scanned:
                diff_id, usize, entries, probs = scan_layer(lpath, ldesc["mediaType"])
                for p in probs:
                    self.problem("layer " + short(ldesc["digest"]), p)
                self.scanned[ldesc["digest"]] = (None if probs else diff_id, usize, entries)
            diff_id, usize, entries = self.scanned[ldesc["digest"]]
            entry.update({"diff_id": diff_id, "uncompressed_size": usize, "entries": entries})
            diff_ids.append(diff_id)
        if cpath is not None:
            cdoc = self.load_json(cpath, "config " + short(config["digest"]))
            if cdoc is not None:
                self.check_config(cdoc, "config " + short(config["digest"]), diff_ids, summary)

    def check_config(self, doc, where, diff_ids, summary):
        self.check_schema("config", doc, where)
        if not isinstance(doc, dict):
            return
        cfg = doc.get("config") if isinstance(doc.get("config"), dict) else {}
        summary.update({
            "architecture": doc.get("architecture"),
            "os": doc.get("os"),
            "labels": cfg.get("Labels") or {},
            "env": cfg.get("Env") or [],
            "cmd": cfg.get("Cmd"),
            "entrypoint": cfg.get("Entrypoint"),
            "history": [{"created_by": h.get("created_by"), "empty_layer": bool(h.get("empty_layer"))}
                        for h in doc.get("history") or [] if isinstance(h, dict)],
        })
        rootfs = doc.get("rootfs") if isinstance(doc.get("rootfs"), dict) else {}
        have = rootfs.get("diff_ids")
        if not isinstance(have, list):
            return
        if len(have) != len(diff_ids):
            self.problem(where, "rootfs.diff_ids has %d entries, the manifest %d layers" % (len(have), len(diff_ids)))
        for i, (got, want) in enumerate(zip(have, diff_ids)):
            if want is not None and got != want:
                self.problem(where, "rootfs.diff_ids[%d] is %s, layer %d decompresses to %s" % (i, got, i, want))
        # Every layer has its history entry (no history at all counts as none).
        history = doc.get("history") if isinstance(doc.get("history"), list) else []
        nonempty = sum(1 for h in history if isinstance(h, dict) and not h.get("empty_layer"))
        if nonempty != len(diff_ids):
            self.problem(where, "%d history entries without empty_layer, %d layers" % (nonempty, len(diff_ids)))

    # -- sealer annotations (spec section 4) ----------------------------------

    def check_annotations(self, ann, where):
        if not isinstance(ann, dict):
            return
        if ANN_EXTENSION in ann:
            w = "%s annotation %s" % (where, ANN_EXTENSION)
            try:
                for p in check_extension(json.loads(ann[ANN_EXTENSION])):
                    self.problem(w, p)
            except (ValueError, TypeError) as e:
                self.problem(w, "not valid JSON: %s" % e)
        if ANN_IMAGES in ann:
            w = "%s annotation %s" % (where, ANN_IMAGES)
            try:
                for p in check_container_images(json.loads(ann[ANN_IMAGES])):
                    self.problem(w, p)
            except (ValueError, TypeError) as e:
                self.problem(w, "not valid JSON: %s" % e)

    # -- blobs/ -----------------------------------------------------------------

    def check_blob_files(self):
        # Only oci-layout, index.json and blobs/ belong at the top: anything
        # else (index.json.tmp, say) is left over from a failed write.
        for name in sorted(os.listdir(self.layout)):
            if name not in ("oci-layout", "index.json", "blobs"):
                self.problem(name, "unexpected file in the image layout")
        blobs = os.path.join(self.layout, "blobs")
        if not os.path.isdir(blobs):
            self.problem("blobs", "missing")
            return
        for dirpath, dirnames, filenames in os.walk(blobs):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                st = os.lstat(path)
                if path not in self.reached:
                    self.problem(self.rel(path), "stray file, no descriptor reaches it")
                elif not stat.S_ISREG(st.st_mode):
                    self.problem(self.rel(path), "not a regular file")
                elif stat.S_IMODE(st.st_mode) != 0o644:
                    self.problem(self.rel(path), "mode %04o, expected 0644" % stat.S_IMODE(st.st_mode))

    def run(self):
        if not os.path.isdir(self.layout):
            self.problem(self.layout, "not a directory")
            return
        self.check_layout_file()
        index = self.load_json(os.path.join(self.layout, "index.json"), "index.json")
        if index is not None:
            self.check_index(index, "index.json")
        self.check_blob_files()


# --------------------------------------------------------------------------
# Shapes of the sealer annotations

def is_str_list(v):
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def is_str_map(v):
    return isinstance(v, dict) and all(isinstance(x, str) for x in v.values())


def check_keys(obj, required, optional, where):
    for k in required:
        if k not in obj:
            yield "%smissing key %r" % (where, k)
    for k in sorted(obj):
        if k not in required and k not in optional:
            yield "%sunexpected key %r" % (where, k)


def check_extension(ext):
    """sealer.image.extension: {buildClient, schemaVersion, type,
    applications?, env?, launch?} (sealer omits the last three when empty)."""
    if not isinstance(ext, dict):
        yield "not a JSON object"
        return
    yield from check_keys(ext, ("buildClient", "schemaVersion", "type"), ("applications", "env", "launch"), "")
    bc = ext.get("buildClient")
    if "buildClient" in ext:
        if not isinstance(bc, dict):
            yield "buildClient is not an object"
        else:
            yield from check_keys(bc, ("sealerVersion", "buildahVersion"), (), "buildClient: ")
            for k in ("sealerVersion", "buildahVersion"):
                if k in bc and not isinstance(bc[k], str):
                    yield "buildClient.%s is not a string" % k
    if "schemaVersion" in ext and ext["schemaVersion"] != "v1alpha1":
        yield "schemaVersion is %r, expected \"v1alpha1\"" % (ext["schemaVersion"],)
    if "type" in ext and ext["type"] not in ("kube-installer", "app-installer"):
        yield "type is %r, expected \"kube-installer\" or \"app-installer\"" % (ext["type"],)
    apps = ext.get("applications")
    if apps is not None:
        if not isinstance(apps, list):
            yield "applications is not an array"
        else:
            for i, app in enumerate(apps):
                yield from check_application(app, "applications[%d]: " % i)
    if ext.get("env") is not None and not is_str_map(ext["env"]):
        yield "env is not an object of strings"
    launch = ext.get("launch")
    if launch is not None:
        if not isinstance(launch, dict):
            yield "launch is not an object"
        else:
            yield from check_keys(launch, (), ("cmds", "app_names"), "launch: ")
            for k in ("cmds", "app_names"):
                if k in launch and not is_str_list(launch[k]):
                    yield "launch.%s is not an array of strings" % k


def check_application(app, where):
    if not isinstance(app, dict):
        yield where + "not an object"
        return
    yield from check_keys(app, ("name", "files", "version"), ("type", "env", "cmds"), where)
    if "name" in app and (not isinstance(app["name"], str) or not app["name"]):
        yield where + "name is not a non-empty string"
    if "type" in app and not isinstance(app["type"], str):
        yield where + "type is not a string"
    if "files" in app and not is_str_list(app["files"]):
        yield where + "files is not an array of strings"
    if "version" in app and app["version"] != "v1":
        yield where + "version is %r, expected \"v1\"" % (app["version"],)
    if "env" in app and not is_str_map(app["env"]):
        yield where + "env is not an object of strings"
    if "cmds" in app and not is_str_list(app["cmds"]):
        yield where + "cmds is not an array of strings"


def check_container_images(images):
    """sealer.image.container.images: [{image, appName?, platform}]."""
    if not isinstance(images, list):
        yield "not a JSON array"
        return
    for i, img in enumerate(images):
        where = "[%d]: " % i
        if not isinstance(img, dict):
            yield where + "not an object"
            continue
        yield from check_keys(img, ("image", "platform"), ("appName",), where)
        if "image" in img and (not isinstance(img["image"], str) or not img["image"]):
            yield where + "image is not a non-empty string"
        if "appName" in img and not isinstance(img["appName"], str):
            yield where + "appName is not a string"
        plat = img.get("platform")
        if "platform" in img:
            if not isinstance(plat, dict):
                yield where + "platform is not an object"
                continue
            yield from check_keys(plat, ("architecture", "os"), ("variant",), where + "platform: ")
            for k in ("architecture", "os", "variant"):
                if k in plat and not isinstance(plat[k], str):
                    yield where + "platform.%s is not a string" % k


# --------------------------------------------------------------------------

def main(argv):
    ap = argparse.ArgumentParser(prog="oci-verify.py", description="Check an OCI image layout completely.")
    ap.add_argument("layout", metavar="LAYOUT-DIR")
    ap.add_argument("--ref", metavar="NAME", help="the manifest tagged NAME must exist; --json describes it")
    ap.add_argument("--json", action="store_true", help="print a summary of the image as JSON")
    ap.add_argument("--schemas", metavar="DIR",
                    default=os.environ.get("OCI_SCHEMA_DIR") or DEFAULT_SCHEMA_DIR)
    args = ap.parse_args(argv)

    try:
        schemas = Schemas(args.schemas)
    except (OSError, ValueError) as e:
        print("oci-verify.py: cannot load the image-spec schemas from %s: %s" % (args.schemas, e), file=sys.stderr)
        return 2

    v = Verifier(args.layout, schemas)
    v.run()

    chosen = v.images
    if args.ref is not None:
        chosen = [im for im in v.images if im["ref"] == args.ref]
        if not chosen:
            v.problem("index.json", "no manifest has %s %r" % (REF_NAME, args.ref))
    out = sys.stderr if args.json else sys.stdout
    for p in v.problems:
        print(p, file=out)
    if args.json:
        if len(chosen) == 1:
            json.dump(chosen[0], sys.stdout, indent=2, sort_keys=True)
            sys.stdout.write("\n")
        elif chosen:
            print("oci-verify.py: index.json has %d manifests; --json needs --ref NAME" % len(chosen), file=sys.stderr)
            return 2
    return 1 if v.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
