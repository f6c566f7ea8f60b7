#!/usr/bin/env python3
"""Side-by-side timing of `dockgen detect` and `nixpacks plan` on the real-world corpus.

Each repository of scripts/real-world-repos.txt (and of DOCKGEN_REPOS) is extracted at its pinned commit from its bare mirror
(the blobs it holds; the mirrors have no work tree), then both tools run on it alternately, RUNS times each
(default 7). Printed: one markdown row per repository with its source-file count, each tool's median wall
time and median peak memory (from /usr/bin/time), and the ratio dockgen / nixpacks. Nothing is built and no
code of the repositories is run.

Usage: benches/versus_nixpacks.py [RUNS]
Environment: DOCKGEN_BIN (default target/release/dockgen), NIXPACKS_BIN (default: nixpacks on PATH),
DOCKGEN_BASELINE_BIN (another dockgen, e.g. a build of an earlier commit: timed in the same runs, a column of
its own),
DOCKGEN_MIRRORS (default /work/.mirror), DOCKGEN_REPOS (default scripts/real-world-repos.txt).
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from extract_commit import extract  # noqa: E402  (the scripts folder is not a package)
SOURCE_EXTENSIONS = (".go", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".mts", ".java", ".kt", ".vue", ".svelte")


def git_dir(mirrors, repo):
    base = os.path.join(mirrors, repo.replace("/", "+"))
    for candidate in (base, os.path.join(base, "repo")):
        if os.path.isdir(candidate) and subprocess.run(
            ["git", "--git-dir", candidate, "rev-parse", "--git-dir"], capture_output=True
        ).returncode == 0:
            return candidate
    return None


def timed(command, cwd, report):
    """Wall seconds and peak resident KB of one run, its output discarded. The peak comes from /usr/bin/time
    (a small process: a fork of this Python would count its memory), the wall time from here."""
    start = time.perf_counter()
    subprocess.run(
        ["/usr/bin/time", "-o", report, "-f", "%M", *command],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    with open(report) as f:
        peak = int(f.read().split()[-1])
    return wall, peak


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    dockgen = os.environ.get("DOCKGEN_BIN", os.path.join(ROOT, "target/release/dockgen"))
    nixpacks = os.environ.get("NIXPACKS_BIN") or shutil.which("nixpacks")
    mirrors = os.environ.get("DOCKGEN_MIRRORS", "/work/.mirror")
    repos = os.environ.get("DOCKGEN_REPOS", os.path.join(ROOT, "scripts/real-world-repos.txt"))
    if not nixpacks:
        sys.exit("versus_nixpacks.py: no nixpacks (cargo install nixpacks --locked --root DIR; NIXPACKS_BIN=DIR/bin/nixpacks)")
    baseline = os.environ.get("DOCKGEN_BASELINE_BIN")
    tools = [("dockgen", dockgen), ("nixpacks", nixpacks)] + ([("baseline", baseline)] if baseline else [])
    extra = " dockgen baseline |" if baseline else ""
    print(f"| repository | source files | dockgen detect | nixpacks plan | ratio |{extra} dockgen peak | nixpacks peak |")
    print("| --- | ---: | ---: | ---: | ---: |" + (" ---: |" if baseline else "") + " ---: | ---: |")
    for line in open(repos):
        if not line.strip() or line.startswith("#"):
            continue
        repo, commit = line.rstrip("\n").split("\t")[:2]
        gitdir = git_dir(mirrors, repo)
        if gitdir is None:
            print(f"| {repo} | no mirror | | | | | |")
            continue
        with tempfile.TemporaryDirectory() as work:
            tree = os.path.join(work, "tree")
            extract(gitdir, commit, tree)
            sources = sum(
                1
                for _, _, names in os.walk(tree)
                for name in names
                if name.endswith(SOURCE_EXTENSIONS)
            )
            times = {tool: [] for tool, _ in tools}
            peaks = {tool: [] for tool, _ in tools}
            for _ in range(runs):
                for tool, binary in tools:
                    command = [binary, "plan" if tool == "nixpacks" else "detect", "."]
                    wall, peak = timed(command, tree, os.path.join(work, "time"))
                    times[tool].append(wall)
                    peaks[tool].append(peak)
            d, n = statistics.median(times["dockgen"]), statistics.median(times["nixpacks"])
            ratio = f"{d / n:.2f}" if n > 0 else "-"
            before = f" {statistics.median(times['baseline']) * 1000:.1f} ms |" if baseline else ""
            print(
                f"| {repo}@{commit[:7]} | {sources} | {d * 1000:.1f} ms | {n * 1000:.1f} ms | {ratio} |{before} "
                f"{statistics.median(peaks['dockgen']) / 1024:.0f} MB | {statistics.median(peaks['nixpacks']) / 1024:.0f} MB |",
                flush=True,
            )


if __name__ == "__main__":
    main()
