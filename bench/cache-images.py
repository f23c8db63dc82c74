#!/usr/bin/env python3
"""bench/cache-images.py -- the image set of bench/cache.sh, as one OCI layout.

Usage: cache-images.py LAYOUT NIMAGES MIB NBASES ARCH

Writes NIMAGES images (tags img1 .. imgN in LAYOUT/index.json) of about MIB
MiB of blobs in all, counting each blob once: NBASES base layers (40 % of
the bytes) that several images share, and two layers of each image's own.
Image i (from 0) has the base i % NBASES and, when i is odd, the base
(i + 1) % NBASES too, then its own two layers (2/3 and 1/3 of its share).
Every layer is a tar of one file of random bytes (os.urandom: incompressible,
new each run), gzipped at level 0 (stored blocks: the gzip media type real
images have, without the time to compress what does not compress). The
configs are for linux/ARCH. Prints one line a tag: "TAG BLOBS BYTES", the
manifest's blobs (config and layers) and their size.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def put(layout, data):
    d = hashlib.sha256(data).hexdigest()
    path = os.path.join(layout, "blobs", "sha256", d)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
    return "sha256:" + d


def layer(layout, name, size):
    """A layer of one file NAME of SIZE random bytes: (descriptor, diff_id)."""
    tbuf = io.BytesIO()
    with tarfile.open(fileobj=tbuf, mode="w", format=tarfile.PAX_FORMAT) as t:
        info = tarfile.TarInfo("data/" + name)
        info.size = size
        info.mtime = 1700000000
        info.mode = 0o644
        t.addfile(info, io.BytesIO(os.urandom(size)))
    tar = tbuf.getvalue()
    gbuf = io.BytesIO()
    with gzip.GzipFile(fileobj=gbuf, mode="wb", compresslevel=0, mtime=0) as g:
        g.write(tar)
    blob = gbuf.getvalue()
    desc = {"mediaType": OCI_LAYER, "digest": put(layout, blob), "size": len(blob)}
    return desc, "sha256:" + hashlib.sha256(tar).hexdigest()


def main():
    layout, nimages, mib, nbases, arch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    total = mib * 1048576
    base_size = total * 4 // 10 // nbases
    own_size = (total - base_size * nbases) // nimages
    bases = [layer(layout, "base%d.bin" % b, base_size) for b in range(nbases)]
    index = []
    for i in range(nimages):
        mine = [bases[i % nbases]]
        if i % 2 and nbases > 1:
            mine.append(bases[(i + 1) % nbases])
        a = own_size * 2 // 3
        mine.append(layer(layout, "img%d-a.bin" % (i + 1), a))
        mine.append(layer(layout, "img%d-b.bin" % (i + 1), own_size - a))
        config = json.dumps({
            "created": "2023-11-14T22:13:20Z",
            "architecture": arch, "os": "linux",
            "config": {"Cmd": ["/bin/true"]},
            "rootfs": {"type": "layers", "diff_ids": [d for _, d in mine]},
        }, sort_keys=True).encode()
        cdesc = {"mediaType": OCI_CONFIG, "digest": put(layout, config), "size": len(config)}
        manifest = json.dumps({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": cdesc, "layers": [l for l, _ in mine],
        }, sort_keys=True).encode()
        tag = "img%d" % (i + 1)
        index.append({"mediaType": OCI_MANIFEST, "digest": put(layout, manifest), "size": len(manifest),
                      "annotations": {"org.opencontainers.image.ref.name": tag}})
        print(tag, 1 + len(mine), cdesc["size"] + sum(l["size"] for l, _ in mine))
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": index}, f)


if __name__ == "__main__":
    main()
