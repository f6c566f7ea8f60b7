#!/usr/bin/env python3
"""Extract every blob of a commit that a bare mirror holds into a folder (mirrors may lack large binary blobs,
which nothing here reads); print how many were absent. Used by scripts/real-world.sh and
benches/versus_nixpacks.py.

Usage: extract_commit.py GIT_DIR COMMIT OUT_DIR
"""

import os
import subprocess
import sys


def extract(gitdir, commit, out):
    """Writes the commit's blobs under `out`; returns how many the mirror does not hold."""
    listing = subprocess.run(
        ["git", "--git-dir", gitdir, "ls-tree", "-r", "-z", commit], capture_output=True, check=True
    ).stdout.split(b"\0")
    cat = subprocess.Popen(
        ["git", "--git-dir", gitdir, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    missing = 0
    for entry in filter(None, listing):
        meta, path = entry.split(b"\t", 1)
        mode, kind, sha = meta.split()
        if kind != b"blob":
            continue
        cat.stdin.write(sha + b"\n")
        cat.stdin.flush()
        header = cat.stdout.readline().split()
        if header[1] == b"missing":
            missing += 1
            continue
        data = cat.stdout.read(int(header[2]))
        cat.stdout.read(1)
        target = os.path.join(out, path.decode())
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if mode == b"120000":
            os.symlink(data.decode(), target)
        else:
            with open(target, "wb") as f:
                f.write(data)
    cat.stdin.close()
    cat.wait()
    return missing


if __name__ == "__main__":
    print(extract(*sys.argv[1:4]))
