"""Start the real service (``make run``: granian) on a free local port for tests.

Built to hold on a loaded machine: start-up gets a generous overall deadline made of short
tries, and a server that really died fails the test with its own output.
"""

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
from typing import NoReturn

import requests

REPO = Path(__file__).resolve().parents[1]
#: Seconds a server may take to answer its first /health (override with
#: GEOCHECK_TEST_START_TIMEOUT): on 2 busy cores the app's first build can take long.
START_TIMEOUT = float(os.environ.get("GEOCHECK_TEST_START_TIMEOUT", "120"))
#: (connect, read) seconds of one /health try while waiting for start-up.
TRY_TIMEOUT = (2.0, 5.0)
#: Seconds a server may take to shut down on SIGTERM before it is killed.
STOP_TIMEOUT = 60.0


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
        deadline = time.monotonic() + START_TIMEOUT
        last = "no answer yet"
        while True:
            try:
                answer = requests.get(f"{self.url}/health", timeout=TRY_TIMEOUT)
                # Ours, not some other process that took the port between free_port() and
                # the server's bind (granian logs the address it really listens at).
                if answer.status_code == 200 and f"Listening at: {self.url}" in self.output():
                    return
                last = f"/health answered {answer.status_code}"
            except requests.RequestException as err:  # refused, reset or slow: try again
                last = f"{type(err).__name__}"
            code = self.process.poll()
            if code is not None:
                self._fail(f"server exited with code {code} before answering /health")
            if time.monotonic() > deadline:
                self._fail(f"server did not answer /health within {START_TIMEOUT:.0f} s ({last})")
            time.sleep(0.25)

    def output(self) -> str:
        """Everything the server wrote so far (stdout and stderr, the JSON access log
        among it). Read with pread: the server shares the file offset, which a seek would
        move under it."""
        descriptor = self._log.fileno()
        return os.pread(descriptor, os.fstat(descriptor).st_size, 0).decode(errors="replace")

    def _fail(self, reason: str) -> NoReturn:
        self.stop()
        raise RuntimeError(f"{reason}; its output ends:\n{self.output()[-4000:]}")

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
            self.process.wait(timeout=STOP_TIMEOUT)
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
