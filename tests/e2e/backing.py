"""Backing services for the e2e cases that name them (`services = ["postgres", "redis"]` in a fixture's [[e2e]]):
each runs on this machine on a free loopback port (PostgreSQL and Redis from Debian's packages, installed by
.ci/run), and the app under test gets the environment the generated compose.yaml gives its service, with each
service's name read as 127.0.0.1 and its port as the local one. So the case proves the wiring compose.yaml writes:
the variable names, the URLs, the user, database and password variable, not a hand-written environment."""

import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import ExitStack, contextmanager

import yaml

# What the compose file's `${NAME:?…}` password references are set to for the run.
PASSWORD = "e2e-Secret-42"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def pg_bin(program):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{program}"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (.ci/run installs Debian's postgresql)")
    return found[-1]


def init_scripts(service, folder):
    """The `.sql` files a compose service mounts into /docker-entrypoint-initdb.d (paths relative to the compose
    file's `folder`), in the order the image runs them: by their name inside that folder."""
    scripts = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            source, target = volume.get("source", ""), volume.get("target", "")
        else:
            source, _, rest = str(volume).partition(":")
            target = rest.split(":")[0]
        if target.startswith("/docker-entrypoint-initdb.d/") and target.endswith(".sql"):
            scripts.append((target, os.path.join(folder, source)))
    return [path for _, path in sorted(scripts)]


@contextmanager
def postgres(user, database, scripts=()):
    """A PostgreSQL cluster on a free port: the compose service's user (password PASSWORD, checked over TCP)
    owning its database, where `scripts` ran as that user, as the image runs its init scripts."""
    port = free_port()
    data = tempfile.mkdtemp(prefix="dockgen-e2e-pg-")
    shutil.chown(data, "postgres", "postgres")
    as_postgres = ["runuser", "-u", "postgres", "--"]

    def run(cmd):
        subprocess.run(as_postgres + cmd, check=True, capture_output=True, text=True, cwd=data)

    try:
        run([pg_bin("initdb"), "-D", f"{data}/db", "-U", "postgres", "--auth-local=trust",
             "--auth-host=scram-sha-256", "-E", "UTF8"])
        options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1"
        run([pg_bin("pg_ctl"), "-D", f"{data}/db", "-o", options, "-l", f"{data}/log", "-w", "start"])
        psql = [pg_bin("psql"), "-h", data, "-p", str(port), "-U", "postgres", "-v", "ON_ERROR_STOP=1"]
        run(psql + ["-c", f"CREATE ROLE \"{user}\" LOGIN PASSWORD '{PASSWORD}'"])
        run(psql + ["-c", f"CREATE DATABASE \"{database}\" OWNER \"{user}\""])
        for script in scripts:
            with open(script) as sql:
                subprocess.run(as_postgres + [pg_bin("psql"), "-h", data, "-p", str(port), "-U", user, "-d", database,
                                              "-v", "ON_ERROR_STOP=1", "-q"],
                               check=True, capture_output=True, text=True, cwd=data, stdin=sql)
        yield port
    finally:
        subprocess.run(as_postgres + [pg_bin("pg_ctl"), "-D", f"{data}/db", "-m", "immediate", "stop"],
                       capture_output=True, cwd=data)
        shutil.rmtree(data, ignore_errors=True)


@contextmanager
def redis():
    port = free_port()
    server = shutil.which("redis-server")
    if not server:
        raise RuntimeError("redis-server is not installed (.ci/run installs Debian's redis-server)")
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def compose_service(compose_text):
    """The app's service of a generated compose file (the one with `build`), and the file's services."""
    doc = yaml.safe_load(compose_text)
    services = doc["services"]
    app = next(service for service in services.values() if "build" in service)
    return app, services


def interpolate(value):
    """Compose's `${NAME}` / `${NAME:?message}`: the password variables get PASSWORD, others are empty."""
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}", lambda m: PASSWORD if "PASSWORD" in m.group(1) else "", value)


@contextmanager
def running(names, compose_text, folder="."):
    """Starts `names` and yields the app's environment from `compose_text` (a file in `folder`), pointed at
    them."""
    app, services = compose_service(compose_text)
    missing = [name for name in names if name not in services]
    if missing:
        raise RuntimeError(f"compose.yaml runs no {missing} service (it has {sorted(services)})")
    # A service keeps the name the project's own compose file gave it (`db`): its image says what it runs.
    kinds = {name: services[name].get("image", "").split(":")[0].split("/")[-1] for name in names}
    with ExitStack() as stack:
        local = {}
        for name in names:
            env = {k: str(v) for k, v in (services[name].get("environment") or {}).items()}
            if kinds[name] == "postgres":
                scripts = init_scripts(services[name], folder)
                local[name] = stack.enter_context(postgres(env["POSTGRES_USER"], env["POSTGRES_DB"], scripts))
            elif kinds[name] == "redis":
                local[name] = stack.enter_context(redis())
            else:
                raise RuntimeError(f"e2e cannot run a {name} service ({kinds[name]}) on this machine")
        compose_ports = {"postgres": "5432", "redis": "6379"}
        environment = {}
        for key, value in (app.get("environment") or {}).items():
            value = interpolate(str(value))
            for name, port in local.items():
                compose_port = compose_ports[kinds[name]]
                value = value.replace(f"@{name}:{compose_port}", f"@127.0.0.1:{port}")
                value = value.replace(f"//{name}:{compose_port}", f"//127.0.0.1:{port}")
                if value == name:
                    value = "127.0.0.1"
                elif value == compose_port and key.endswith("PORT"):
                    value = str(port)
            environment[key] = value
        yield environment


def as_run_env(environment):
    """run-image.sh's RUN_ENV: `K=V` words (the values here hold no spaces)."""
    bad = [k for k, v in environment.items() if " " in v]
    if bad:
        raise RuntimeError(f"RUN_ENV cannot carry spaces: {bad}")
    return " ".join(f"{k}={v}" for k, v in environment.items())


if __name__ == "__main__":
    # Self-check: both services start and stop on this machine.
    text = "services:\n  app:\n    build: .\n    environment:\n      DATABASE_URL: postgres://app:${POSTGRES_PASSWORD:?x}@db:5432/app\n      REDIS_URL: redis://redis:6379\n  db:\n    image: postgres:18-alpine\n    environment:\n      POSTGRES_USER: app\n      POSTGRES_DB: app\n  redis:\n    image: redis:8-alpine\n"
    with running(["db", "redis"], text) as env:
        print(env)
        assert env["DATABASE_URL"].startswith(f"postgres://app:{PASSWORD}@127.0.0.1:")
        print(os.environ.get("CI", "") or "ok")
