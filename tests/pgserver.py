"""A throw-away PostgreSQL server for the tests and benchmarks: Debian's postgresql package, a
cluster in a temporary directory on a free port of 127.0.0.1, stopped and removed afterwards.

PostgreSQL refuses to run as root, so as root (CI, containers) the cluster belongs to the
`postgres` user the package creates. ./test.sh installs the package when it is missing.
"""
from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def bin_dir() -> Path | None:
    """The newest installed PostgreSQL's programs (initdb, pg_ctl), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TemporaryPostgres:
    """`start()` gives the server's URL; `database()` a new empty database's URL; `stop()` ends it.

    `durable=False` (the tests) turns off fsync: a throw-away cluster need not survive a crash,
    and it makes CREATE DATABASE and commits fast. Benchmarks keep the defaults.
    """

    def __init__(self, durable: bool = False):
        self.durable = durable
        self.bin = bin_dir()
        if self.bin is None:
            raise FileNotFoundError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
        self.dir = Path(tempfile.mkdtemp(prefix="placewire-pg-"))
        self.data = self.dir / "data"
        self.port = 0
        self._names = itertools.count(1)

    def _run(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
        if os.geteuid() == 0:
            cmd = ("runuser", "-u", "postgres", "--", *cmd)
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=120, cwd=self.dir)

    def start(self) -> str:
        self.dir.chmod(0o755)  # the postgres user must reach its data directory inside
        self.data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "--no-locale", "-E", "UTF8", "--no-sync")
        options = ["-c listen_addresses=127.0.0.1", "-c unix_socket_directories=''", "-c max_connections=60"]
        if not self.durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        for _ in range(5):  # another process may take the free port first: try another
            self.port = _free_port()
            run = self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.data / "log"),
                            "-o", " ".join([f"-p {self.port}", *options]), "-w", "-t", "60", "start", check=False)
            if run.returncode == 0:
                return self.url("postgres")
        raise RuntimeError(f"PostgreSQL did not start: {run.stdout}{run.stderr}{self.log()}")

    def log(self) -> str:
        try:
            return (self.data / "log").read_text()[-3000:]
        except OSError:
            return ""

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)

    def database(self) -> str:
        """A new, empty database; its URL."""
        name = f"store_{os.getpid()}_{next(self._names)}"
        self._admin(f"CREATE DATABASE {name}")
        return self.url(name)

    def drop(self, url: str) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")

    def stop(self) -> None:
        if self.port:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)
