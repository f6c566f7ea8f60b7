#!/usr/bin/env python3
"""End-to-end suite: every case (cases.toml's, and each fixture's `[[e2e]]` tables in its
tests/fixtures/<fixture>/case.toml) is rendered by dockgen, built unchanged by a real OCI builder, started, and
called; the image must hold the artifact and nothing of the build, run as a non-root user, and reuse its
dependency layer after a source change. Results go to docs/e2e.md.

Builders (DOCKGEN_E2E_BUILDER):
  buildah (default)  ../shared/e2e/rb with local stand-in base images; runs images with run-image.sh
  docker             `docker buildx build --load` and `docker run`, with real images from a registry

Usage: tests/e2e/run.py [--no-cache] [CASE ...]      (default: every case)
  --no-cache   first builds from scratch (for timing), then one cached build before the source change;
               without it the first build may reuse layers an earlier run left for the same inputs
Env:   DOCKGEN_E2E_BUILDER, DOCKGEN_E2E_TOOLKIT (default ../shared/e2e), DOCKGEN_BIN (default: cargo build),
       DOCKGEN_E2E_REPORT (default docs/e2e.md; empty to skip writing it),
       DOCKGEN_E2E_JOBS (cases checked at once, default 3; images that expose a port in common run one at a time)
"""

import fcntl
import hashlib
import io
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import tomllib
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))
import backing  # noqa: E402  (beside this file)

COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
CASES = Path(__file__).with_name("cases.toml")
FIXTURES = REPO / "tests" / "fixtures"
BUILDER = os.environ.get("DOCKGEN_E2E_BUILDER", "buildah")
TOOLKIT = Path(os.environ.get("DOCKGEN_E2E_TOOLKIT", REPO.parent / "shared" / "e2e"))
LOG_TAIL = 40
# Free space under the state dir below which a run first drops untagged images, and then the images earlier runs
# kept (Buildah.make_room).
PRUNE_BELOW = 16 << 30
# The largest payload (the image less its base) of a case image kept for the next run: 218 of 254 cases, 1.6 GB.
KEEP_PAYLOAD = 30e6
KEEP_FREE = 8 << 30
# The lock other builds on this machine take (`flock /tmp/dockgen-build.lock rb bud ...`, as this project's
# surveys do): a prune waits for it, so no layer goes from under a build.
BUILD_LOCK = "/tmp/dockgen-build.lock"
JOBS = max(1, int(os.environ.get("DOCKGEN_E2E_JOBS", "3")))
# Builds, file listings and rebuilds of several cases overlap, and so do runs: a started image listens on host
# ports (no network namespaces here), so two images that expose a port in common never run at once.
PORT_LOCKS = {}
PORT_LOCKS_GUARD = threading.Lock()


@contextmanager
def ports_held(ports):
    """Holds the run lock of every port, taken in one order so two cases never wait on each other."""
    with PORT_LOCKS_GUARD:
        locks = [PORT_LOCKS.setdefault(port, threading.Lock()) for port in sorted(set(ports))]
    with ExitStack() as stack:
        for lock in locks:
            stack.enter_context(lock)
        yield

# Files a runtime stage may add or change besides the artifact: the user it creates, and the CA bundle the
# Debian runtime copies from the builder.
ALLOWED_CHANGES = re.compile(
    r"^/etc/(passwd|group|shadow|gshadow|subuid|subgid)-?$"
    r"|^/etc/ssl/certs/ca-certificates\.crt$"
    r"|^/var/log/(lastlog|faillog)$"
)
# What must never reach a runtime image, whatever else the check above would allow.
BUILD_LEFTOVERS = re.compile(
    r"\.go$|/go\.(mod|sum|work)$|^/src/|^/go/|/\.cache/|^/root/go/|/bin/go$|/gcc$"
    r"|\.java$|/pom\.xml$|/\.m2/|/bin/mvn$|/bin/javac$"
    # The app's own TypeScript sources (packages in node_modules may ship theirs) and build-only packages.
    r"|^/app/(?!(.*/)?node_modules/)(.*/)?src/.*\.tsx?$|/node_modules/(typescript|vite|@types|tsx|nodemon)/|^/root/\.npm/"
)


# Image tags the toolkit has no stand-in for, and the stand-in that is the same image: the alpine stand-in is one
# BusyBox image under every 3.x tag it lists (../shared/e2e/README.md). The Dockerfile names its images as build
# arguments, so the generated file stays unchanged: only the argument is given.
STAND_INS = {
    "alpine:3.24": "alpine:3.20",
    "gcr.io/distroless/python3-debian13:nonroot": "localhost/dockgen-e2e/distroless-python3-debian13",
    "gradle:7.6.1-jdk17": "localhost/dockgen-e2e/gradle-4.4-jdk17",
}

# Stand-ins this repository builds itself (tests/e2e/standins/images/NAME/Containerfile), for images the
# toolkit has none of: built once per run, before the first case that needs one.
LOCAL_STAND_INS = {
    "localhost/dockgen-e2e/distroless-python3-debian13": REPO / "tests/e2e/standins/images/distroless-python3-debian13",
    "localhost/dockgen-e2e/gradle-4.4-jdk17": REPO / "tests/e2e/standins/images/gradle-4.4-jdk17",
}

# The app's own TypeScript sources: a leftover of a build, unless the runtime runs them as they are (bun, a
# case's `runs_sources`).
APP_TYPESCRIPT = re.compile(r"^/app/(?!(.*/)?node_modules/)(.*/)?src/.*\.tsx?$")


def logical_lines(text):
    """The Dockerfile's instructions, continuation lines joined, comments left out."""
    joined = re.sub(r"\\\n", " ", "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#")))
    return [line.strip() for line in joined.splitlines() if line.strip()]


def qualified(image):
    """An image reference as the storage names it: `golang:1.26` is docker.io/library/golang:1.26."""
    name = image if re.search(r":[^/]+$", image) or "@" in image else image + ":latest"
    first = name.split("/")[0]
    if "/" not in name:
        return "docker.io/library/" + name
    if "." not in first and ":" not in first and first != "localhost":
        return "docker.io/" + name
    return name


def base_images(dockerfile, build_args):
    """The images a Dockerfile builds from (FROM, COPY --from, RUN --mount from=), ARGs resolved with the build
    arguments given; None when one stays unresolved (a variable with no value)."""
    args, stages, images, first_from = {}, set(), [], True
    given = dict(a.split("=", 1) for a in build_args[1::2])
    resolve = lambda word: re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m.group(1) or m.group(2), "$"), word)
    for line in logical_lines(dockerfile):
        words = line.split()
        instruction = words[0].upper()
        if instruction == "ARG" and first_from and len(words) > 1:
            name, _, default = words[1].partition("=")
            args[name] = given.get(name, default)
        elif instruction == "FROM":
            first_from = False
            rest = [w for w in words[1:] if not w.startswith("--")]
            image = resolve(rest[0])
            if image.lower() not in stages and image != "scratch":
                images.append(image)
            if len(rest) >= 3 and rest[1].upper() == "AS":
                stages.add(rest[2].lower())
        else:
            for found in re.findall(r"(?:--from=|\bfrom=)([^\s,]+)", line):
                image = resolve(found)
                if image.lower() not in stages and not image.isdigit():
                    images.append(image)
    return None if any("$" in image for image in images) else [qualified(image) for image in images]


def build_inputs(project, dockerfile, build_args, named):
    """A digest of everything a build reads: the Dockerfile, the build arguments, the ID of each image it builds
    from, and every file of the context (names, modes, contents). None when an image is not in the storage."""
    bases = base_images(dockerfile.read_text(), build_args)
    if bases is None or any(image not in named for image in bases):
        return None
    digest = hashlib.sha256()
    for part in [dockerfile.read_text(), *build_args, *(f"{image} {named[image]}" for image in bases)]:
        digest.update(part.encode() + b"\0")
    for folder, dirs, names in os.walk(project):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            info = path.lstat()
            digest.update(f"{path.relative_to(project)}\0{info.st_mode}\0".encode())
            digest.update(os.readlink(path).encode() if path.is_symlink() else path.read_bytes())
    return digest.hexdigest()


def stand_in_build_args(dockerfile):
    """`--build-arg NAME=STAND_IN` for each `ARG NAME=IMAGE` whose image has no stand-in but an equivalent one."""
    args = []
    for line in Path(dockerfile).read_text().splitlines():
        if line.startswith("ARG ") and "=" in line:
            name, image = line[4:].split("=", 1)
            if image.strip() in STAND_INS:
                args += ["--build-arg", f"{name.strip()}={STAND_INS[image.strip()]}"]
    return args


class Failure(Exception):
    """A case failed; the message says what was expected and what happened."""


def run(cmd, cwd=None, env=None, check=True):
    merged = dict(os.environ, **(env or {}))
    proc = subprocess.run(cmd, cwd=cwd, env=merged, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise Failure(f"`{' '.join(map(str, cmd))}` exited {proc.returncode}:\n{tail(proc.stdout + proc.stderr)}")
    return proc


def tail(text, lines=LOG_TAIL):
    return "\n".join(text.rstrip().splitlines()[-lines:])


def dockgen_binary():
    if os.environ.get("DOCKGEN_BIN"):
        return os.environ["DOCKGEN_BIN"]
    run(["cargo", "build", "--locked", "--release", "-q"], cwd=REPO)
    return str(REPO / "target" / "release" / "dockgen")


class Buildah:
    """Builds with the shared toolkit's buildah wrapper and runs images with its run-image.sh."""

    name = "buildah"

    def __init__(self):
        self.rb = str(TOOLKIT / "rb")
        if not Path(self.rb).is_file():
            raise SystemExit(f"e2e: no buildah toolkit at {TOOLKIT} (set DOCKGEN_E2E_TOOLKIT)")
        if os.geteuid() != 0:
            raise SystemExit("e2e: buildah builds here need root")
        self.name = "buildah " + run([self.rb, "--version"]).stdout.split()[2]
        # The storage driver rb chose for its state dir (../shared/e2e/rb): vfs copies the whole tree per layer.
        self.state = Path(os.environ.get("DOCKGEN_E2E_HOME", "/var/tmp/dockgen-e2e"))
        try:
            self.vfs = (self.state / "storage-driver").read_text().strip() == "vfs"
        except OSError:
            self.vfs = False
        # On overlay the case images stay after a run (those under KEEP_PAYLOAD): their layers are the next run's
        # cache, so a case whose
        # Dockerfile and context did not change builds in a second or two (its image is still run, listed and
        # rebuilt after a source change with a fresh nonce). vfs copies the whole tree per layer: nothing stays.
        self.keeps_images = not self.vfs
        self.built_file = self.state / "e2e-built.json"
        try:
            self.built = json.loads(self.built_file.read_text()) if self.keeps_images else {}
        except (OSError, ValueError):
            self.built = {}
        self.named = self.named_images()

    def inputs(self, tag, project, dockerfile):
        """The build's inputs digest (build_inputs), and whether the image under `tag` was built from the same
        inputs by an earlier run that passed: then that image is this build's result, and building is skipped
        (buildah would take every layer from its cache, in seconds, to the same image)."""
        key = build_inputs(project, dockerfile, stand_in_build_args(dockerfile), self.named)
        earlier = self.built.get(tag)
        same = key is not None and earlier is not None and earlier["inputs"] == key
        return key, same and self.named.get(tag) == earlier["image"][:12]

    def remember(self, tags_inputs):
        """Records the image ID and inputs of each passing case's build for the next run."""
        if not self.keeps_images:
            return
        for tag, key in tags_inputs:
            image = self.image_id(tag) if key else None
            if image:
                self.built[tag] = {"inputs": key, "image": image}
        self.built_file.write_text(json.dumps(self.built, indent=1, sort_keys=True) + "\n")

    def named_images(self):
        """{registry/name:tag: image ID} of every named image in the storage."""
        out = run([self.rb, "images", "--format", "{{.Name}}:{{.Tag}} {{.ID}}"]).stdout
        return dict(line.split() for line in out.splitlines() if line.strip() and "<none>" not in line)

    def image_id(self, image):
        proc = run([self.rb, "inspect", "--type", "image", "--format", "{{.FromImageID}}", image], check=False)
        return proc.stdout.strip() if proc.returncode == 0 else None

    def make_room(self, cases):
        """Keeps the storage from growing run after run: with less than PRUNE_BELOW free on the state dir's disk
        the untagged images go (the layers of Dockerfiles that have changed since, and build stages: only a case
        whose inputs changed builds them again), and with less than KEEP_FREE every case image too (that run
        builds from scratch). Taken under BUILD_LOCK."""
        if not self.keeps_images or shutil.disk_usage(self.state).free >= PRUNE_BELOW:
            return
        print(f"e2e: under {PRUNE_BELOW >> 30} GB free in {self.state}: removing untagged images", flush=True)
        with open(BUILD_LOCK, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            run([self.rb, "rmi", "--prune"], check=False)
            if shutil.disk_usage(self.state).free < KEEP_FREE:
                print(f"e2e: still under {KEEP_FREE >> 30} GB free: removing the cases' images", flush=True)
                for case in cases:
                    for tag in (image_tag(case), f"{image_tag(case)}-to-dependencies"):
                        run([self.rb, "rmi", "-f", tag], check=False)
                run([self.rb, "rmi", "--prune"], check=False)
                self.built = {}
        self.named = self.named_images()

    def build_stand_in(self, tag, folder):
        run([self.rb, "bud", "--pull=never", "--layers", "--network", "host", "-t", tag, str(folder)])

    def build(self, tag, context, dockerfile, no_cache):
        cmd = [self.rb, "bud", "--pull=never", "--layers", "--network", "host", "-t", tag]
        if no_cache:
            cmd.append("--no-cache")
        cmd += stand_in_build_args(dockerfile)
        cmd += ["-f", str(dockerfile), str(context)]
        proc = run(cmd, check=False)
        # buildah 1.28's known rare flake when re-executing itself (../shared/e2e/README.md), and a cached layer
        # that went while another build was looking at it: retry once.
        output = proc.stdout + proc.stderr
        if proc.returncode != 0 and ("Close_Fd sealing memfd copy" in output or "layer not known" in output):
            print(f"e2e: buildah flake ({tail(output, 1)}), building again", flush=True)
            proc = run(cmd, check=False)
        return proc

    @staticmethod
    def reused_steps(log):
        return log.count("--> Using cache")

    @staticmethod
    def step_reused(log, text):
        # "[s/t] STEP n/m: RUN ... text" (a single stage leaves out "[s/t] ") followed by "--> Using cache"
        # before the next step.
        for block in re.split(r"\n(?=(?:\[\d+/\d+\] )?STEP \d)", log):
            if text in block.split("\n", 1)[0]:
                return "--> Using cache" in block
        raise Failure(f"no build step contains `{text}`")

    def config(self, image):
        out = run([self.rb, "inspect", "--type", "image", image]).stdout
        return json.loads(out)["Docker"]["config"]

    def files(self, image):
        """{path: size} of every regular file and symlink in the image, and its total size in bytes."""
        container = run([self.rb, "from", "--pull=never", image]).stdout.strip().splitlines()[-1]
        try:
            root = Path(run([self.rb, "mount", container]).stdout.strip())
            listing = {}
            for dirpath, _dirs, names in os.walk(root):
                for name in names:
                    full = Path(dirpath) / name
                    stat = full.lstat()
                    listing["/" + str(full.relative_to(root))] = stat.st_size
            return listing
        finally:
            run([self.rb, "umount", container], check=False)
            run([self.rb, "rm", container], check=False)

    def serve_check(self, image, port, path, expect, status, run_env=None):
        env = {"EXPECT_STATUS": str(status)} if status else {}
        if run_env:
            env["RUN_ENV"] = backing.as_run_env(run_env)
        # Containers here share the host's network, where a loopback bind answers too: the listening sockets
        # are watched while the check runs, and a server that binds only loopback fails it (a published port
        # would reach nothing).
        watch = BindWatch(port)
        watch.start()
        try:
            proc = self.run_image([image, str(port), path] + ([expect] if expect else []), env)
        finally:
            watch.stop()
        # Once, an nginx worker outlived run-image.sh's stop (re-parented to init) and held its port, failing
        # every later case on that port: whatever still listens there is stopped and said.
        leftovers = listeners(port)
        for pid in leftovers:
            os.kill(pid, 9)
        note = f"\ne2e: killed pid(s) {leftovers} still listening on port {port} after the check" if leftovers else ""
        if leftovers:
            print(note.strip(), flush=True)
        if proc.returncode == 0 and watch.loopback_only():
            note += f"\ne2e: the server listens on port {port} on loopback only ({', '.join(sorted(watch.seen))}): a published port would reach nothing"
            return False, proc.stdout + proc.stderr + note
        return proc.returncode == 0, proc.stdout + proc.stderr + note

    def exit_check(self, image, expect):
        proc = self.run_image(["--exit", image] + ([expect] if expect else []), None)
        return proc.returncode == 0, proc.stdout + proc.stderr

    @staticmethod
    def run_image(args, env):
        proc = run([str(TOOLKIT / "run-image.sh")] + args, env=env, check=False)
        # buildah 1.28's known flake when re-executing itself (../shared/e2e/README.md) stops a container before
        # the image's program runs: started again once, as a build is.
        output = proc.stdout + proc.stderr
        if proc.returncode != 0 and "Close_Fd sealing memfd copy" in output:
            print(f"e2e: buildah flake ({tail(output, 1)}), running again", flush=True)
            proc = run([str(TOOLKIT / "run-image.sh")] + args, env=env, check=False)
        return proc

    @staticmethod
    def process_uid(output):
        # A server's processes are listed with their uid; a job that has already ended is reported with the
        # USER run-image.sh started it as.
        found = re.search(r"processes: \S+?\(uid (\d+)\)", output) or re.search(r" user=(\d+)", output)
        return int(found.group(1)) if found else None

    def remove(self, image):
        run([self.rb, "rmi", "-f", image], check=False)
        # On vfs storage (where overlay does not work) each layer is a full copy of the tree and a whole run's
        # layers fill the disk (it happened: 47 GB over ~30 cases), so the case's intermediate layers go too.
        # Its rebuild check ran before this: only the cache between runs is lost. Overlay keeps its cache.
        if self.vfs:
            run([self.rb, "rmi", "--prune"], check=False)


class Docker:
    """Builds with BuildKit (`docker buildx build --load`) and runs with `docker run` on a Docker engine."""

    # A developer's engine is not a CI cache: the cases' images go at the end (BuildKit keeps its own cache).
    keeps_images = False

    @staticmethod
    def make_room(_cases):
        pass

    @staticmethod
    def inputs(_tag, _project, _dockerfile):
        return None, False

    @staticmethod
    def remember(_tags_inputs):
        pass

    def __init__(self):
        if not shutil.which("docker"):
            raise SystemExit("e2e: DOCKGEN_E2E_BUILDER=docker but docker is not installed")
        version = run(["docker", "version", "--format", "{{.Server.Version}}"], check=False)
        if version.returncode != 0:
            raise SystemExit(f"e2e: no Docker engine answers: {tail(version.stderr, 3)}")
        self.name = "docker buildx (engine " + version.stdout.strip() + ")"

    @staticmethod
    def build(tag, context, dockerfile, no_cache):
        cmd = ["docker", "buildx", "build", "--load", "--progress=plain", "-t", tag, "-f", str(dockerfile)]
        if no_cache:
            cmd.append("--no-cache")
        return run(cmd + [str(context)], check=False)

    @staticmethod
    def reused_steps(log):
        return len(re.findall(r"^#\d+ CACHED$", log, re.M))

    @staticmethod
    def step_reused(log, text):
        for number in re.findall(r"^#(\d+) \[[^\]]+\] RUN .*" + re.escape(text), log, re.M):
            return bool(re.search(rf"^#{number} CACHED$", log, re.M))
        raise Failure(f"no build step contains `{text}`")

    @staticmethod
    def config(image):
        return json.loads(run(["docker", "image", "inspect", image]).stdout)[0]["Config"]

    @staticmethod
    def files(image):
        container = run(["docker", "create", image]).stdout.strip()
        try:
            export = subprocess.run(["docker", "export", container], capture_output=True, check=True)
            with tarfile.open(fileobj=io.BytesIO(export.stdout)) as tar:
                return {"/" + m.name.lstrip("./"): m.size for m in tar.getmembers() if not m.isdir()}
        finally:
            run(["docker", "rm", "-f", container], check=False)

    def serve_check(self, image, port, path, expect, status, run_env=None):
        # Backing services listen on this machine's loopback: the app shares its network to reach them.
        network = ["--network", "host"] if run_env else ["-p", f"127.0.0.1:{port}:{port}"]
        env = [f"--env={k}={v}" for k, v in (run_env or {}).items()]
        container = run(["docker", "run", "-d", *network, *env, image]).stdout.strip()
        try:
            deadline = time.time() + 60
            last = ""
            while time.time() < deadline:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
                        code, body = response.status, response.read().decode(errors="replace")
                except urllib.error.HTTPError as err:
                    code, body = err.code, err.read().decode(errors="replace")
                except OSError as err:
                    last = str(err)
                    time.sleep(0.5)
                    continue
                ok_status = code == status if status else 200 <= code < 400
                last = f"GET {path} -> {code}\n{body[:300]}"
                if ok_status and (not expect or expect in body):
                    return True, last
                time.sleep(0.5)
            return False, last + "\n" + run(["docker", "logs", container], check=False).stderr
        finally:
            self.uid_seen = self._uid(container)
            run(["docker", "rm", "-f", container], check=False)

    def exit_check(self, image, expect):
        proc = run(["docker", "run", "--rm", image], check=False)
        output = proc.stdout + proc.stderr
        return proc.returncode == 0 and expect in output, output

    @staticmethod
    def _uid(container):
        top = run(["docker", "top", container, "-eo", "uid"], check=False).stdout.split()
        return int(top[1]) if len(top) > 1 and top[1].isdigit() else None

    def process_uid(self, _output):
        return getattr(self, "uid_seen", None)

    @staticmethod
    def remove(image):
        run(["docker", "image", "rm", "-f", image], check=False)


def listening_sockets(port):
    """The rows of /proc/net/tcp{,6} of the sockets listening on `port`, split into fields (local_address is
    HEXIP:HEXPORT; state 0A is LISTEN), so no ss or fuser is needed."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                yield fields


def listening_addresses(port):
    """The local addresses `port` is listened on (`127.0.0.1`, `::`, `0.0.0.0`)."""
    found = set()
    for fields in listening_sockets(port):
        raw = bytes.fromhex(fields[1].rsplit(":", 1)[0])
        # /proc writes each 32-bit word in host (little-endian) order.
        words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
        found.add(str(ipaddress.ip_address(words)))
    return found


class BindWatch(threading.Thread):
    """Records the addresses a port is listened on while a check runs."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.seen = set()
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(0.2):
            self.seen |= listening_addresses(self.port)

    def stop(self):
        self.done.set()
        self.join()

    def loopback_only(self):
        return bool(self.seen) and all(ipaddress.ip_address(a).is_loopback for a in self.seen)


def listeners(port):
    """PIDs of processes with a TCP socket listening on `port`."""
    inodes = {fields[9] for fields in listening_sockets(port)}
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            links = {os.readlink(fd) for fd in (proc / "fd").iterdir()}
        except OSError:
            continue
        if any(f"socket:[{inode}]" in links for inode in inodes):
            pids.append(int(proc.name))
    return pids


def human(size):
    return f"{size / 1e6:.1f} MB" if size >= 1e5 else f"{size / 1e3:.1f} kB"


def artifact_of(command, workdir):
    """The file the ENTRYPOINT or CMD runs: a binary, the jar after -jar, the first classpath entry, or the
    script node or bun runs (relative to the WORKDIR)."""
    if command[0].startswith("/"):
        return command[0]
    for flag in ("-jar", "-cp"):
        if flag in command:
            return command[command.index(flag) + 1].split(":")[0]
    if command[0] in ("node", "bun") and len(command) > 1:
        # The value of a preload flag (`-r dotenv/config`, `--import ./x.mjs`) is not the script.
        words, script = iter(command[1:]), None
        for word in words:
            if word in ("-r", "--require", "--import", "--loader"):
                next(words, None)
            elif not word.startswith("-"):
                script = word
                break
        if script and not script.startswith("/"):
            return os.path.normpath(os.path.join(workdir or "/", script))
        return script
    return None


def dockerfile_facts(text):
    expose = re.search(r"^EXPOSE (\d+)", text, re.M)
    entry = re.search(r"^ENTRYPOINT \[(.*)\]", text, re.M) or re.search(r"^CMD \[(.*)\]", text, re.M)
    final_stage = text[text.rfind("\nFROM ") :]
    workdir = re.findall(r"^WORKDIR (\S+)", final_stage, re.M)
    # The final stage's first WORKDIR is the app's folder; a later one (a workspace app) lies inside it.
    runtime_arg = re.search(r"^ARG RUNTIME_IMAGE=(\S+)", text, re.M)
    builder_arg = re.search(r"^ARG BUILDER_IMAGE=(\S+)", text, re.M)
    # A Python image runs a command of its virtual environment (`gunicorn` on the venv's PATH): the environment
    # is payload, and the command's file in it the artifact.
    venv = re.search(r"VIRTUAL_ENV=(/\S+)", final_stage)
    command = json.loads(f"[{entry.group(1)}]") if entry else None
    artifact = artifact_of(command, workdir[-1] if workdir else None) if command else None
    if artifact is None and venv and command and "/" not in command[0]:
        artifact = f"{venv.group(1)}/bin/{command[0]}"
    return {
        "builder_image": builder_arg.group(1) if builder_arg else None,
        "port": int(expose.group(1)) if expose else None,
        "artifact": artifact,
        "command": command,
        "venv": venv.group(1).rstrip("/") + "/" if venv else None,
        # What the final stage copies into its own WORKDIR (dependency jars, Spring Boot layers, node_modules)
        # is payload.
        "app_dir": workdir[0].rstrip("/") + "/" if workdir and workdir[0] != "/" else None,
        "runtime_image": runtime_arg.group(1) if runtime_arg else None,
    }


def image_tag(case):
    return f"localhost/dockgen-e2e/{case['name']}:latest"


class BaseListings:
    """The file listing of each runtime base image, taken once per run (many cases share a base)."""

    def __init__(self, builder):
        self.builder, self.lock, self.seen = builder, threading.Lock(), {}

    def files(self, image):
        with self.lock:
            if image not in self.seen:
                self.seen[image] = self.builder.files(image)
            return self.seen[image]


def prepare_case(case, dockgen, work):
    """The case's project copied into `work` and its Dockerfile generated (and edited, where the case says so);
    returns the project (the build context), the Dockerfile's path and the preset dockgen chose."""
    project = work / case["name"]
    shutil.copytree(REPO / case["source"], project)
    # An app inside a workspace: dockgen runs on its folder, the build context is the workspace root.
    app = project / case.get("app", ".")
    run([dockgen, "init", str(app), "--yes", *case.get("args", [])])
    for edit in case.get("edits", []):
        # A documented change to a generated file, for what this builder cannot run as-is (see cases.toml).
        target = app / edit["file"]
        text = target.read_text()
        if edit["replace"] not in text:
            raise Failure(f"edit for {edit['file']}: `{edit['replace']}` is no longer in the generated file")
        target.write_text(text.replace(edit["replace"], edit["with"]))
    return project, app / "Dockerfile", case_preset(case, dockgen, app)


def cache_check_key(case, dockerfile):
    """What decides whether the dependency step survives a change to the touched file: the Dockerfile up to that
    step (its image, the files copied before it, the step itself) and which of those COPY sources hold the
    touched file. Cases with the same key get the same answer from the same rebuild, so one of them rebuilds.
    None when the case has no dependency step (nothing for a rebuild to prove)."""
    step = case.get("dependency_step")
    at = dockerfile.find(step) if step else -1
    if at < 0:
        return None
    end = dockerfile.find("\n", at)
    prefix = dockerfile if end < 0 else dockerfile[:end]
    touched = case["touch"]
    holding = []
    for line in prefix.splitlines():
        words = line.split()
        if words[:1] != ["COPY"] or any(w.startswith("--from") for w in words):
            continue
        sources = [w for w in words[1:-1] if not w.startswith("--")]
        for source in sources:
            folder = source.rstrip("/")
            if source in (".", "./") or touched == folder or touched.startswith(folder + "/") or any(c in source for c in "*?["):
                holding.append(source)
    return (prefix, tuple(holding))


def up_to_step(dockerfile, step):
    """The Dockerfile up to the end of the instruction that holds `step` (its continuation lines included)."""
    lines = dockerfile.splitlines()
    at = next((i for i, line in enumerate(lines) if step in line), None)
    if at is None:
        raise Failure(f"no line of the Dockerfile holds `{step}`")
    while at + 1 < len(lines) and lines[at].rstrip().endswith("\\"):
        at += 1
    return "\n".join(lines[: at + 1]) + "\n"


def check_case(case, prepared, builder, bases, no_cache, rebuild):
    """Builds, runs and inspects one prepared case. `rebuild` is True when this case proves the dependency
    layer's cache, else the name of the case that proves it for this one (or None: no dependency step)."""
    project, dockerfile_path, preset = prepared
    dockerfile = dockerfile_path.read_text()
    facts = dockerfile_facts(dockerfile)
    if case.get("artifact"):
        facts["artifact"] = case["artifact"]
    tag = image_tag(case)
    row = {
        "case": case["name"],
        "preset": preset,
        "images": f"{facts['builder_image']} → {facts['runtime_image']}"
        + (f" (built on the stand-in {STAND_INS[facts['runtime_image']]})" if facts["runtime_image"] in STAND_INS else ""),
        # Image flags mean the preset's default image has no stand-in here, or the case tests the flags.
        "image_flags": any(a in ("--builder-image", "--runtime-image") for a in case.get("args", [])),
        "edits": [f"{e['file']}: {e['why']}" for e in case.get("edits", [])],
    }

    # By default the first build may reuse layers an earlier run left for the same inputs (buildah keys them by
    # content, so only an unchanged Dockerfile and context hit them); --no-cache measures a build from scratch.
    started = time.time()
    row["inputs"], unchanged = builder.inputs(tag, project, dockerfile_path)
    if unchanged and not no_cache:
        row["build_s"] = "unchanged"
    else:
        first = builder.build(tag, project, dockerfile_path, no_cache=no_cache)
        row["build_s"] = round(time.time() - started, 1)
        if first.returncode != 0:
            raise Failure(f"build failed:\n{tail(first.stdout + first.stderr)}")

    timed = time.time()
    config = builder.config(tag)
    user = config.get("User") or ""
    if user.split(":")[0] in ("", "0", "root"):
        raise Failure(f"the image runs as root (USER `{user}`)")

    # A job that runs to completion listens on nothing; a server holds every port its Dockerfile exposes.
    exposed = [int(port) for line in re.findall(r"^EXPOSE (.+)$", dockerfile, re.M) for port in re.findall(r"\d+", line)]
    with ports_held(exposed + ([int(facts["port"])] if case["check"] == "http" else [])):
        if case["check"] == "http" and case.get("services"):
            # The services compose.yaml runs beside the app, here on this machine, wired as that file says.
            compose = next((dockerfile_path.parent / n for n in COMPOSE_FILES if (dockerfile_path.parent / n).is_file()), None)
            if compose is None:
                raise Failure("the case names services, but dockgen wrote no compose file (pass --compose)")
            with backing.running(case["services"], compose.read_text(), compose.parent) as run_env:
                ok, output = builder.serve_check(
                    tag, facts["port"], case.get("path", "/"), case.get("expect"), case.get("status"), run_env
                )
        elif case["check"] == "http":
            # `run_env`: what a user passes with `docker run -e` (a secret the image names but never holds).
            ok, output = builder.serve_check(
                tag, facts["port"], case.get("path", "/"), case.get("expect"), case.get("status"), case.get("run_env")
            )
        else:
            ok, output = builder.exit_check(tag, case.get("expect", ""))
            if not ok and "exited with code 0 " in output:
                # buildah 1.28's `run` copies the process's output through its own pipes and once, under load,
                # returned before they were drained (a Java job's println lost after a clean exit): run again.
                print(f"e2e: {case['name']}: the job exited 0 without the expected output, running it again", flush=True)
                ok, output = builder.exit_check(tag, case.get("expect", ""))
        uid = builder.process_uid(output)
    row["run_s"] = round(time.time() - timed, 1)
    if not ok:
        raise Failure(f"the image did not answer as expected:\n{tail(output)}")
    declared = user.split(":")[0]
    if uid is None or uid == 0 or (declared.isdigit() and uid != int(declared)):
        raise Failure(f"the app ran as uid {uid}, not as the declared USER {user}")

    timed = time.time()
    image_files = builder.files(tag)
    # The image the build really used: its stand-in where the Dockerfile's tag has none.
    base_files = bases.files(STAND_INS.get(facts["runtime_image"], facts["runtime_image"]))
    added = sorted(p for p, size in image_files.items() if base_files.get(p) != size)
    # Where the system packages the runtime stage installs for the program land (`system_packages`: git's own
    # files include Go sources under /usr/share/doc): neither the artifact nor a build's leftovers.
    installed = lambda p: any(p.startswith(d) for d in case.get("system_packages", []))
    runs_sources = lambda p: case.get("runs_sources", False) and APP_TYPESCRIPT.match(p)
    # A server that loads devDependencies at run time gets every dependency installed (`keeps_dev_dependencies`).
    dev_installed = lambda p: case.get("keeps_dev_dependencies", False) and "/node_modules/" in p
    # A production dependency's own dependency that looks like a build-only package (winston's logform needs
    # `@types/triple-beam`): named by the case, each path prefix with the package that brings it.
    needed = lambda p: any(p.startswith(prefix) for prefix in case.get("production_packages", {}))
    leftovers = [
        p for p in image_files
        if BUILD_LEFTOVERS.search(p) and p not in base_files and not installed(p) and not runs_sources(p)
        and not dev_installed(p) and not needed(p)
    ]
    payload_dirs = [d for d in (facts["app_dir"], facts.get("venv")) if d] + case.get("payload", [])
    in_app_dir = lambda p: any(p.startswith(d) for d in payload_dirs)
    unexpected = [
        p for p in added
        if p != facts["artifact"] and not in_app_dir(p) and not installed(p) and not ALLOWED_CHANGES.match(p)
    ]
    if leftovers or unexpected:
        raise Failure(f"the image holds more than the artifact: {', '.join((leftovers + unexpected)[:10])}")
    # Paths of the project the runtime must not hold (tests, docs, tooling beside the server's own files).
    absent = [p for p in case.get("absent", []) if any(f == p or f.startswith(p.rstrip("/") + "/") for f in image_files)]
    if absent:
        raise Failure(f"the image holds what does not run: {', '.join(absent)}")
    # `node server` loads server.js: node's own lookup (the file, with an extension, a folder's index.js).
    if facts["command"] and facts["command"][0] in ("node", "bun") and facts["artifact"] not in image_files:
        loaded = [facts["artifact"] + ext for ext in (".js", ".mjs", ".cjs", "/index.js")]
        facts["artifact"] = next((p for p in loaded if p in image_files), facts["artifact"])
    if facts["artifact"] not in image_files:
        raise Failure(f"the artifact {facts['artifact']} is not in the image")
    row["files_s"] = round(time.time() - timed, 1)
    row["image"] = sum(image_files.values())
    row["payload"] = row["image"] - sum(base_files.values())
    row["artifact"] = image_files[facts["artifact"]]

    if rebuild is not True:
        # Another case with the same dependency-layer inputs proves the cache (cache_check_key), or none is due.
        row["rebuild_s"] = 0
        row["reused"] = f"same as {rebuild}" if rebuild else "not rebuilt: no dependency step"
        return row
    if no_cache:
        # The developer's situation: the project has been built once with the cache in use. (After a --no-cache
        # build, buildah 1.28 may match a stage's first steps to older layers whose children are not this build's.)
        settle = builder.build(tag, project, dockerfile_path, no_cache=False)
        if settle.returncode != 0:
            raise Failure(f"cached build failed:\n{tail(settle.stdout + settle.stderr)}")
    touched = project / case["touch"]
    # A fresh nonce, so a rebuild can never find this exact change in the cache of an earlier run.
    nonce = os.urandom(8).hex()
    comment = "#" if touched.suffix in (".py", ".toml", ".txt", ".cfg") else "//"
    # (Appended as bytes: a source need not be UTF-8.)
    line = f"\n{comment} e2e {nonce}: a source change that must not invalidate the dependency layer\n"
    touched.write_bytes(touched.read_bytes() + line.encode())
    # Built again only up to the dependency step: the layers to that step are the whole Dockerfile's, and the
    # steps after it (compiling the project) prove nothing about the cache. Kept outside the build context.
    up_to = project.parent / f"{project.name}.up-to-dependencies.Dockerfile"
    up_to.write_text(up_to_step(dockerfile, case["dependency_step"]))
    timed = time.time()
    # Its own tag, kept: the image is the dependency step's cached layer, which the whole Dockerfile's later
    # steps build on; removing it with the case's image would drop their cache for the next run.
    second = builder.build(f"{tag}-to-dependencies", project, up_to, no_cache=False)
    row["rebuild_s"] = round(time.time() - timed, 1)
    if second.returncode != 0:
        raise Failure(f"rebuild failed:\n{tail(second.stdout + second.stderr)}")
    log = second.stdout + second.stderr
    row["reused"] = builder.reused_steps(log)
    if case.get("dependency_step") and not builder.step_reused(log, case["dependency_step"]):
        steps = "\n".join(line for line in log.splitlines() if " STEP " in line or "Using cache" in line)
        raise Failure(
            f"after changing {case['touch']}, `{case['dependency_step']}` ran again instead of coming from the "
            f"cache:\n{steps}"
        )
    return row


def case_preset(case, dockgen, project):
    args = case.get("args", [])
    if "--preset" in args:
        return args[args.index("--preset") + 1]
    # The written Dockerfile names its preset: a project whose own Dockerfile was the evidence (and was replaced)
    # may not detect the same way again.
    dockerfile = project / "Dockerfile"
    if dockerfile.is_file():
        found = re.search(r"Generated by dockgen \(preset ([\w.-]+)\)", dockerfile.read_text())
        if found:
            return found.group(1)
    return json.loads(run([dockgen, "detect", "--json", str(project)]).stdout)["preset"]


def load_cases():
    """cases.toml's cases in file order, then each fixture's `[[e2e]]` cases in folder order (the shape is in the
    header of cases.toml), and {fixture: why} for the fixtures whose case.toml says `e2e_skip = "why"`."""
    spec = tomllib.loads(CASES.read_text())
    if set(spec) != {"case"}:
        raise SystemExit(f"e2e: {CASES} holds only [[case]] tables; a fixture's e2e settings go in its case.toml")
    cases, skipped = spec["case"], {}
    for folder in sorted(p for p in FIXTURES.iterdir() if (p / "case.toml").is_file()):
        fixture = tomllib.loads((folder / "case.toml").read_text())
        for case in fixture.get("e2e", []):
            if "source" in case or not (folder / "repo").is_dir():
                raise SystemExit(f"e2e: {folder.name}'s cases run on its own repo/ (no `source`)")
            cases.append({"name": f"fixture-{folder.name}", **case, "source": f"tests/fixtures/{folder.name}/repo"})
        if "e2e_skip" in fixture:
            skipped[folder.name] = fixture["e2e_skip"]
    return cases, skipped


def check_coverage(cases, skipped, dockgen):
    """Every preset has a case and every fixture is a case or explicitly skipped."""
    problems = []
    presets = {line.split()[0] for line in run([dockgen, "presets", "list"]).stdout.splitlines() if line.strip()}
    covered = set()
    for case in cases:
        args = case.get("args", [])
        covered.add(args[args.index("--preset") + 1] if "--preset" in args else None)
    defaults = {line.split()[0] for line in run([dockgen, "presets", "list"]).stdout.splitlines() if "[default for" in line}
    if None in covered:
        covered |= defaults
    problems += [f"preset {p} has no e2e case" for p in sorted(presets - covered)]
    used = {Path(c["source"]).parent.name for c in cases if c["source"].startswith("tests/fixtures/")}
    for fixture in sorted(p.name for p in FIXTURES.iterdir()):
        if fixture not in used and fixture not in skipped:
            problems.append(f"fixture {fixture} has neither [[e2e]] cases nor an e2e_skip reason in its case.toml")
    return problems


def write_report(rows, failures, skipped, builder_name, no_cache):
    path = os.environ.get("DOCKGEN_E2E_REPORT", str(REPO / "docs" / "e2e.md"))
    if not path:
        return
    lines = [
        "# End-to-end results",
        "",
        "Written by `tests/e2e/run.py` (run by `.ci/run`). Each case: `dockgen init --yes`, a build with no",
        "edits (unless the images column lists one, with why), the image started and called as its own USER, its",
        "files compared with the runtime base image, then one source file changed and the Dockerfile built again",
        "up to its dependency step (the same layers as the whole file's), which must come from the cache. Cases",
        "whose Dockerfiles are the same up to that step, with the changed file outside what it copies, share one",
        "rebuild: their last column names the case that made it.",
        "",
        *(
            [
                "Build seconds are for a `--no-cache` build (`run.py --no-cache`, which then rebuilds once with the",
                "cache before the change); the `RUN --mount=type=cache` folders (Go module and build caches) persist",
                "between builds as they do on a developer's machine, so they are warm after the first run.",
            ]
            if no_cache
            else [
                "Build seconds are for the first build of this run, which may reuse the layers an earlier run on this",
                "machine left for the same Dockerfile and context (buildah keys layers by content); a case whose",
                "Dockerfile, build arguments, base image IDs and context files are all those of its last passing run",
                "is not built again (its build column says `unchanged`): that run's image, still in the storage, is what the",
                "build would give, and it is run, listed and rebuilt after a source change as every image is.",
                "`run.py --no-cache` builds every case from scratch.",
            ]
        ),
        "",
        "Sizes are uncompressed file contents: image = every file in the final image; payload = image minus the",
        "runtime base image; artifact = the file the ENTRYPOINT runs. Stand-in base images are not the real ones",
        "(see ../shared/e2e/README.md), so absolute sizes differ from a registry build; payload and artifact do not.",
        "",
        "`fixture-python-distroless` runs on a stand-in this repository builds itself",
        "(tests/e2e/standins/images/distroless-python3-debian13: Debian trixie's python3 at /usr/bin/python3, no",
        "shell), as the toolkit has no distroless Python image; the real one is smaller.",
        "`fixture-gradle-application-groovy` builds with a Gradle stand-in of this repository's own",
        "(tests/e2e/standins/images/gradle-4.4-jdk17: Debian bookworm's Gradle 4.4.1 on the toolkit's JDK 17,",
        "standing in for the gradle:7.6.1-jdk17 its wrapper's version names), as this machine reaches neither",
        "Gradle's distribution server nor its plugin portal: it proves the Dockerfile's shape (build scripts first,",
        "installDist, the start script on the JRE), not a current Gradle.",
        "",
        "Spring Boot, Quarkus and Micronaut are not reachable from this machine (Maven Central is out of reach;",
        "only Debian's Maven repository is). The `e2e-spring-boot-layers` and `e2e-quarkus-fast-jar-layout` cases",
        "are stand-ins (tests/e2e/standins/): dockgen reads their real-looking pom.xml, and documented edits build",
        "a plain `standin.xml` instead, whose jar keeps the contract the runtime stage relies on (Boot's",
        "`-Djarmode=tools extract --layers` output; Quarkus' `quarkus-app/` folders reached from",
        "`quarkus-run.jar`). They prove the runtime stage's COPY paths, its ENTRYPOINT and that libraries land",
        "where the run jar's Class-Path expects them; they do not prove a real framework build.",
        "`fixture-maven-old-wrapper`'s `mvnw` is also a stand-in: it rejects `-ntp` as Maven 3.3.9 does, then runs",
        "the image's Maven.",
        "",
        f"Builder: {builder_name}.",
        "",
        "| case | preset | images (builder → runtime) | build (s) | image | payload | artifact | steps reused on rebuild (to the dependency step) | result |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        images = row["images"] + (" (set by flags)" if row["image_flags"] else " (preset defaults)")
        images += "".join(f"; edited {edit}" for edit in row["edits"])
        lines.append(
            f"| {row['case']} | {row['preset']} | {images} | {row['build_s']} | {human(row['image'])} "
            f"| {human(row['payload'])} | {human(row['artifact'])} | {row['reused']} | pass |"
        )
    for name, message in failures:
        lines.append(f"| {name} | | | | | | | | FAIL: {message.splitlines()[0]} |")
    lines += ["", "Not built:", ""]
    lines += [f"- `{name}`: {why}" for name, why in sorted(skipped.items())]
    Path(path).write_text("\n".join(lines) + "\n")


def main(argv):
    cases, skipped = load_cases()
    names = [case["name"] for case in cases]
    if len(set(names)) != len(names):
        raise SystemExit(f"e2e: case names repeat in {CASES} and the fixtures' case.toml")
    no_cache = "--no-cache" in argv
    wanted = set(argv) - {"--no-cache"}
    builder = Docker() if BUILDER == "docker" else Buildah()
    dockgen = dockgen_binary()
    problems = check_coverage(cases, skipped, dockgen)
    selected = [case for case in cases if not wanted or case["name"] in wanted]
    bases = BaseListings(builder)
    builder.make_room(cases)

    # On vfs storage each case prunes the layer cache (Buildah.remove), which would pull layers from under a
    # build running beside it: one case at a time there, each removed at once (a run's layers fill the disk).
    jobs = 1 if getattr(builder, "vfs", False) else JOBS

    def check(case):
        print(f"e2e: {case['name']} ...", flush=True)
        started = time.time()
        try:
            if isinstance(prepared[case["name"]], Failure):
                raise prepared[case["name"]]
            row = check_case(case, prepared[case["name"]], builder, bases, no_cache, rebuilds[case["name"]])
        except Failure as failure:
            print(f"e2e: FAIL {case['name']}: {failure}", flush=True)
            return None, str(failure)
        finally:
            if jobs == 1:
                builder.remove(image_tag(case))
        print(
            f"e2e: pass {case['name']} in {time.time() - started:.0f} s (build {row['build_s']}, run {row['run_s']}, "
            f"files {row['files_s']}, rebuild {row['rebuild_s']}): image "
            f"{human(row['image'])}, payload {human(row['payload'])}, artifact {human(row['artifact'])}, "
            f"steps reused on rebuild: {row['reused']}",
            flush=True,
        )
        return row, None

    rows, failures, passed = [], [], []
    with tempfile.TemporaryDirectory(prefix="dockgen-e2e-") as work:
        # Every case's Dockerfile first (milliseconds each), so the cases that share their dependency layer's
        # inputs are known before any builds: the first of them in the list rebuilds, the others point to it.
        # `prepared` holds each case's project, Dockerfile and preset, or why dockgen could not prepare it.
        prepared, rebuilds, provers = {}, {}, {}
        for case in selected:
            try:
                prepared[case["name"]] = prepare_case(case, dockgen, Path(work))
            except Failure as failure:
                prepared[case["name"]] = failure
                continue
            _, dockerfile, _ = prepared[case["name"]]
            key = cache_check_key(case, dockerfile.read_text())
            if key is None:
                rebuilds[case["name"]] = None
            else:
                rebuilds[case["name"]] = provers.get(key, True)
                provers.setdefault(key, case["name"])
        needed = {
            STAND_INS[image]
            for case in selected
            if not isinstance(prepared[case["name"]], Failure)
            for image in re.findall(r"^ARG \w+=(\S+)", prepared[case["name"]][1].read_text(), re.M)
            if STAND_INS.get(image) in LOCAL_STAND_INS
        }
        for tag in sorted(needed) if isinstance(builder, Buildah) else []:
            print(f"e2e: building the local stand-in {tag}", flush=True)
            builder.build_stand_in(tag, LOCAL_STAND_INS[tag])
            builder.named = builder.named_images()
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            # The report keeps the cases' order, whichever finishes first.
            for case, (row, failure) in zip(selected, pool.map(check, selected)):
                if failure is None:
                    rows.append(row)
                    passed.append(case)
                else:
                    failures.append((case["name"], failure))
    # With cases side by side, images go once every build is done: removing one while another build looks up
    # its cached layers fails that build ("layer not known").
    # Kept for the next run: the images of passing cases whose payload is small (most of them; the few big ones
    # would hold most of the disk).
    kept = [(case, row) for case, row in zip(passed, rows) if builder.keeps_images and row["payload"] <= KEEP_PAYLOAD]
    if jobs > 1:
        for case in selected:
            if not any(case is k for k, _ in kept):
                builder.remove(image_tag(case))
    builder.remember([(image_tag(case), row["inputs"]) for case, row in kept])
    if not wanted:
        write_report(rows, failures, skipped, builder.name, no_cache)
    for problem in problems:
        print(f"e2e: FAIL coverage: {problem}")
    failed = len(failures) + len(problems)
    print(f"{len(rows)} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
