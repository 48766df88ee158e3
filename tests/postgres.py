"""A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder, a free port,
stopped and removed at the end. As root (CI) the server runs as the unprivileged `postgres`
user that Debian's package creates, since initdb and postgres refuse to run as root."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from tests.tools import missing, require

INSTALL_HINT = "install Debian's postgresql package"
# Not 'postgres': a password that must never show up in logs or answers.
USER, PASSWORD = "calfeed", "s3cret-Pw-4-tests"


def server_bin() -> Path:
    """The folder of initdb, pg_ctl and postgres (Debian keeps them off PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name))
    if found:
        return Path(found[-1]).parent
    return Path(require("initdb", INSTALL_HINT)).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """One server on 127.0.0.1:port, its data in a temporary folder owned by the user it runs
    as; databases made per test by `new_database`."""

    def __init__(self, port: int | None = None):
        self.bin = server_bin()
        self.folder = Path(tempfile.mkdtemp(prefix="calfeed-pg-"))
        self.data, self.log = self.folder / "data", self.folder / "server.log"
        self.port = port or free_port()
        self._run_as = None
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                missing(f"as root the test server runs as the postgres user: {INSTALL_HINT}, "
                        "which creates it")
            self._run_as = "postgres"
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        os.chmod(self.folder, 0o755)
        password_file = self.folder / "password"
        password_file.write_text(PASSWORD + "\n")
        if self._run_as:
            os.chown(password_file, pwd.getpwnam("postgres").pw_uid, -1)
        self._run("initdb", "-D", str(self.data), "-U", USER, "--pwfile", str(password_file),
                  "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                  "--no-sync", "--no-instructions")
        password_file.unlink()
        self._count = 0
        try:
            self.start()
        except subprocess.CalledProcessError:
            said = self.log.read_text() if self.log.exists() else ""
            shutil.rmtree(self.folder, ignore_errors=True)
            raise RuntimeError(f"the test PostgreSQL server did not start on port "
                               f"{self.port}:\n{said[-2000:]}") from None

    def _run(self, program: str, *arguments: str, check: bool = True):
        command = [str(self.bin / program), *arguments]
        if self._run_as:
            command = ["runuser", "-u", self._run_as, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=120)

    def start(self) -> None:
        # fsync off: a test cluster is thrown away, and the machine is shared.
        options = (f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w",
                  "-t", "60", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def url(self, database: str = "postgres", password: str = PASSWORD) -> str:
        return f"postgresql://{USER}:{password}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh empty database: its URL."""
        import psycopg

        self._count += 1
        name = f"test_{os.getpid()}_{self._count}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def throwaway_cluster(port: int | None = None):
    """A Cluster, stopped and removed when the block ends."""
    cluster = Cluster(port)
    try:
        yield cluster
    finally:
        cluster.remove()


def wait_until(condition, timeout: float = 15, step: float = 0.1):
    """condition()'s first true value within `timeout` seconds, else its last one."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)
