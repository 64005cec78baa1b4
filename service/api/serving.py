"""What each worker process of ``geocheck serve`` sets up before it builds the app."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path


def prepare_worker() -> None:
    """JSON logs, and metrics shared by the server's workers.

    ``PROMETHEUS_MULTIPROC_DIR`` (if the operator did not set it) becomes a folder named
    after the parent process (its id and start time, so a reused id gets a new folder):
    every worker of one server shares it, and a new server starts with a new one. It
    must be set before ``prometheus_client`` is first imported, so this runs before the
    app is built. The live gauges of workers that died (and were replaced) are removed,
    so they stop counting, and so are the folders of servers no longer running.
    """
    from service.api import logs

    logs.configure()
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        parent = os.getppid()
        _remove_folders_of_dead_servers()
        name = f"{FOLDER_PREFIX}{parent}-{_started(parent)}"
        folder = os.path.join(tempfile.gettempdir(), name)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    Path(folder).mkdir(parents=True, exist_ok=True)
    from prometheus_client import multiprocess

    for pid in _pids(Path(folder)):
        if pid != os.getpid() and not _alive(pid):
            multiprocess.mark_process_dead(pid, folder)


#: The metrics folders ``prepare_worker`` makes: ``<prefix><pid>-<start time>``.
FOLDER_PREFIX = "geocheck-metrics-"


def _remove_folders_of_dead_servers() -> None:
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"):
        found = re.fullmatch(rf"{FOLDER_PREFIX}(\d+)-(\d*)", folder.name)
        if found is None:
            continue
        pid = int(found.group(1))
        if not _alive(pid) or _started(pid) != found.group(2):
            shutil.rmtree(folder, ignore_errors=True)


def _started(pid: int) -> str:
    """When process ``pid`` started (clock ticks since boot, from /proc), or "" where
    that is unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rpartition(")")[2].split()[19]


def _pids(folder: Path) -> set[int]:
    found = (re.fullmatch(r"gauge_live\w+_(\d+)\.db", p.name) for p in folder.iterdir())
    return {int(m.group(1)) for m in found if m}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
