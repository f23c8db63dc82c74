#!/usr/bin/env python3
"""hostile-oci.py - writes OCI image layouts that break the rules on purpose,
from a JSON description of their layers' tar entries, so the tests can attack
the builder with base images without a network (and a hostile registry can
serve the same layouts later).

    hostile-oci.py DIR < SPEC.json

SPEC is one image or {"images": [IMAGE...]} (each tagged in index.json); an
IMAGE {"tag": T, "index": [IMAGE...]} is an image index of those images (each
with its "platform"), tagged T:

    {
      "tag": "v1",                          # org.opencontainers.image.ref.name
      "layers": [[ENTRY...], ...],          # bottom layer first
      "compression": "gzip" | "none",       # default gzip
      "annotations": {...},                 # on the manifest
      "extension": {...},                   # sealer.image.extension, as JSON
      "config": {...},                      # merged into the image config
      "lie": [LIE...]                       # what to break, below
    }

    ENTRY = {"name": "manifests/x.yaml", "type": "file" (default) | "dir" |
             "symlink" | "hardlink" | "fifo" | "chardev",
             "data": "text", "size": N (N bytes of "x" instead of data),
             "target": "for links", "mode": 420}

    LIE = {"layer": I, "digest": "sha256:../../x"}   the manifest names layer I
                                                   by this digest (the blob is
                                                   also written under it when
                                                   it is a plain name)
        | {"layer": I, "content": "text"}          the blob file of layer I
                                                   holds these bytes instead
        | {"layer": I, "size": N}                  the descriptor says N bytes
        | {"config_digest": "sha256:..."}          the manifest's config digest
        | {"manifest_digest": "sha256:..."}        index.json's digest for it

Layers are written with Python's tarfile (PAX), so any name is possible:
"..", absolute paths, whiteouts, entries under a symbolic link.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = {"gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
            "none": "application/vnd.oci.image.layer.v1.tar"}


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def put_blob(root, data, digest=None):
    digest = digest or sha(data)
    algo, _, hexpart = digest.partition(":")
    # a lying digest that is not a plain name is not written anywhere
    if "/" in hexpart or hexpart in ("", ".", ".."):
        return digest
    d = os.path.join(root, "blobs", algo)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hexpart), "wb") as f:
        f.write(data)
    return digest


def tar_layer(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for e in entries:
            ti = tarfile.TarInfo(e["name"])
            ti.mtime = 1600000000
            kind = e.get("type", "file")
            ti.mode = e.get("mode", 0o755 if kind == "dir" else 0o644)
            data = None
            if kind == "file":
                data = e["data"].encode() if "data" in e else b"x" * e.get("size", 0)
                ti.size = len(data)
            elif kind == "dir":
                ti.type = tarfile.DIRTYPE
            elif kind == "symlink":
                ti.type = tarfile.SYMTYPE
                ti.linkname = e["target"]
            elif kind == "hardlink":
                ti.type = tarfile.LNKTYPE
                ti.linkname = e["target"]
            elif kind == "fifo":
                ti.type = tarfile.FIFOTYPE
            elif kind == "chardev":
                ti.type = tarfile.CHRTYPE
                ti.devmajor, ti.devminor = e.get("major", 1), e.get("minor", 3)
            else:
                raise SystemExit("hostile-oci.py: unknown entry type " + kind)
            t.addfile(ti, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def write_image(root, img):
    comp = img.get("compression", "gzip")
    lies = img.get("lie", [])
    layers, diff_ids = [], []
    for i, entries in enumerate(img.get("layers", [])):
        raw = tar_layer(entries)
        diff_ids.append(sha(raw))
        blob = gzip.compress(raw, mtime=0) if comp == "gzip" else raw
        desc = {"mediaType": MT_LAYER[comp], "digest": sha(blob), "size": len(blob)}
        for lie in lies:
            if lie.get("layer") != i:
                continue
            if "digest" in lie:
                desc["digest"] = lie["digest"]
            if "content" in lie:
                blob = lie["content"].encode()
            if "size" in lie:
                desc["size"] = lie["size"]
        put_blob(root, blob, desc["digest"])
        layers.append(desc)
    config = {"architecture": "amd64", "os": "linux", "config": {},
              "rootfs": {"type": "layers", "diff_ids": diff_ids},
              "history": [{"created_by": "hostile-oci.py"} for _ in layers]}
    config.update(img.get("config", {}))
    cbytes = json.dumps(config, separators=(",", ":")).encode()
    cdesc = {"mediaType": MT_CONFIG, "digest": put_blob(root, cbytes), "size": len(cbytes)}
    for lie in lies:
        if "config_digest" in lie:
            cdesc["digest"] = lie["config_digest"]
    ann = dict(img.get("annotations", {}))
    if "extension" in img:
        ann["sealer.image.extension"] = json.dumps(img["extension"], separators=(",", ":"))
    manifest = {"schemaVersion": 2, "mediaType": MT_MANIFEST, "config": cdesc, "layers": layers}
    if ann:
        manifest["annotations"] = ann
    mbytes = json.dumps(manifest, separators=(",", ":")).encode()
    mdesc = {"mediaType": MT_MANIFEST, "digest": put_blob(root, mbytes), "size": len(mbytes),
             "annotations": {"org.opencontainers.image.ref.name": img.get("tag", "latest")}}
    for lie in lies:
        if "manifest_digest" in lie:
            mdesc["digest"] = lie["manifest_digest"]
    return mdesc


def write_index(root, img):
    """An image index of the child images (untagged), tagged itself."""
    children = []
    for child in img["index"]:
        d = write_image(root, child)
        del d["annotations"]
        d["platform"] = child.get("platform", {"architecture": "amd64", "os": "linux"})
        children.append(d)
    index = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": children}
    ibytes = json.dumps(index, separators=(",", ":")).encode()
    return {"mediaType": MT_INDEX, "digest": put_blob(root, ibytes), "size": len(ibytes),
            "annotations": {"org.opencontainers.image.ref.name": img.get("tag", "latest")}}


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__.split("\n\n")[1])
    root = sys.argv[1]
    spec = json.load(sys.stdin)
    images = spec["images"] if "images" in spec else [spec]
    os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(root, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    index = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [write_index(root, i) if "index" in i else write_image(root, i) for i in images]}
    with open(os.path.join(root, "index.json"), "w") as f:
        json.dump(index, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
