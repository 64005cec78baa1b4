"""A PostgreSQL server of a test's own (initdb + pg_ctl on its own port and data folder),
so that a test can stop and start it without disturbing the machine's shared server."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from tests.e2e_server import free_port


def _bindir() -> Path | None:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


class Cluster:
    """A server on ``127.0.0.1:<port>``; :meth:`stop` (fast shutdown: sessions are
    terminated) and :meth:`start`."""

    def __init__(self, bindir: Path, data: Path, port: int) -> None:
        self.bindir, self.data, self.port = bindir, data, port
        self.url = f"postgresql://geocheck@127.0.0.1:{port}/postgres"

    def _run(self, *command: str) -> None:
        line = " ".join(shlex.quote(part) for part in command)
        # initdb and the server refuse to run as root: run them as postgres then.
        argv = ["su", "postgres", "-c", line] if os.geteuid() == 0 else ["sh", "-c", line]
        subprocess.run(argv, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        log = str(self.data / "server.log")
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            log,
            "-w",
            "-t",
            "120",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "120", "stop"
        )


@contextmanager
def dedicated_cluster() -> Iterator[Cluster | None]:
    """A fresh server, or None where PostgreSQL's programs are not installed."""
    bindir = _bindir()
    if bindir is None or (os.geteuid() == 0 and shutil.which("su") is None):
        yield None
        return
    # Not under pytest's tmp_path: that is private to root, and the server runs as postgres.
    folder = Path(tempfile.mkdtemp(prefix="geocheck-pg-"))
    data = folder / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(data, "postgres")
    cluster = Cluster(bindir, data, free_port())
    try:
        cluster._run(
            str(bindir / "initdb"), "-D", str(data), "-U", "geocheck", "--auth=trust", "-E", "UTF8"
        )
        cluster.start()
        yield cluster
    finally:
        with suppress(subprocess.SubprocessError):  # not running
            cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)
