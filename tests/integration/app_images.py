"""Throw-away images that declare apps, for tests and bench/apps: each is
the `python` test image's rootfs (bind-mounted read-only: the runtime
refuses a symlinked rootfs) with its own image.json. `python` itself is
linked in as it is.

Usage: d = make_images_dir(SRC, {"echoapp": [app]}) ... remove_images_dir(d)
(always call it: it undoes the bind mounts; never rm -r such a dir)."""
import json
import os
import shutil
import subprocess
import tempfile


def make_images_dir(source_images, images):
    """`images`: {name: [{"name", "display_name", "port", "command"}]}."""
    src = os.path.join(source_images, "python")
    d = tempfile.mkdtemp(prefix="berth-apps-images-")
    os.symlink(src, os.path.join(d, "python"))
    with open(os.path.join(src, "image.json")) as f:
        base = json.load(f)
    try:
        for name, apps in images.items():
            rootfs = os.path.join(d, name, "rootfs")
            os.makedirs(rootfs)
            subprocess.run(["mount", "--bind", "-o", "ro", os.path.join(src, "rootfs"), rootfs],
                           check=True)
            manifest = dict(base, name=name, source="recipe:" + name, apps=apps)
            with open(os.path.join(d, name, "image.json"), "w") as f:
                json.dump(manifest, f)
    except BaseException:
        remove_images_dir(d)
        raise
    return d


def remove_images_dir(d):
    with open("/proc/self/mounts") as f:
        mounted = {line.split()[1] for line in f}
    for name in os.listdir(d):
        rootfs = os.path.join(d, name, "rootfs")
        if os.path.islink(os.path.join(d, name)) or not os.path.isdir(rootfs):
            continue
        if rootfs in mounted:
            subprocess.run(["umount", rootfs], check=True)
        os.rmdir(rootfs)  # empty once unmounted; never recurse into the image
    shutil.rmtree(d)
