"""Start the real service (``make run``: granian) on a free local port for tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServiceProcess:
    """The service started exactly as ``make run`` starts it, in its own process group.

    ``environment`` must name the database (``GEOCHECK_DATABASE_URL``); the log goes to a
    file (a pipe could fill up and stall the server).
    """

    def __init__(self, environment: dict[str, str], workers: int = 2) -> None:
        self.environment = environment
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()

    def start(self) -> None:
        environment = {
            **os.environ,
            "PORT": str(self.port),
            "GEOCHECK_WORKERS": str(self.workers),
            **self.environment,
        }
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "run", f"PORT={self.port}"],
            cwd=REPO,
            env=environment,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass  # not listening yet, or workers still booting (the socket queues)
            if self.process.poll() is not None or time.monotonic() > deadline:
                self._log.seek(0)
                tail = self._log.read().decode(errors="replace")[-2000:]
                self.stop()
                raise RuntimeError(f"server did not start: {tail}")
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL the whole process group: master and workers die mid-whatever."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def close(self) -> None:
        self.stop()
        self._log.close()


@contextmanager
def service(environment: dict[str, str], workers: int = 2) -> Iterator[ServiceProcess]:
    server = ServiceProcess(environment, workers)
    try:
        server.start()
        yield server
    finally:
        server.close()


@contextmanager
def running_server(env: dict[str, str] | None = None, workers: int = 2) -> Iterator[str]:
    """Yield the base URL of a server on a throw-away SQLite database."""
    with tempfile.TemporaryDirectory(prefix="geocheck-e2e-") as folder:
        database = {"GEOCHECK_DATABASE_URL": f"sqlite:///{folder}/e2e.sqlite"}
        with service({**database, **(env or {})}, workers) as server:
            yield server.url
