"""The computing side: :class:`Annotator` asks one pinned snapshot for the added columns
(halving chunks a server refuses as too large), and :func:`run` keeps worker threads
computing chunks while the main thread reads and writes them, in input order."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from service.annotate.locate import Located
from service.annotate.options import AnnotateError, Options, Report
from service.client import Geocheck, GeocheckError


class Pinned(Protocol):
    """What the annotator asks of ``Geocheck.snapshot(at=...)``: column questions at one
    data version and one instant (the client's snapshot also takes ``accuracy_m``, ``ids``
    and ``units``, which annotation does not use)."""

    @property
    def parallel(self) -> bool:
        """Whether calls may run in several threads at once."""
        ...

    def check_columns(
        self,
        lat: npt.ArrayLike,
        lon: npt.ArrayLike,
        *,
        zones: list[str] | None = None,
        distances: bool = True,
    ) -> dict[str, Any]: ...

    def distance_columns(
        self, lat: npt.ArrayLike, lon: npt.ArrayLike, to: Any
    ) -> dict[str, Any]: ...


class Annotator:
    """Computes the added columns for chunks of points from one snapshot of the data."""

    def __init__(self, geocheck: Geocheck, options: Options) -> None:
        self.options = options
        self.snapshot: Pinned = geocheck.snapshot(at=options.at)
        probe = self.snapshot.check_columns([0.0], [0.0], zones=options.zones, distances=False)
        self.zone_ids: list[str] = [z["zone"] for z in probe["zones"]]
        self.targets: list[str] = []
        for ref in options.distance_to:
            try:  # unknown names fail here, before any work
                target = self.snapshot.distance_columns([0.0], [0.0], ref)["to"]
            except GeocheckError as err:
                if err.status >= 500:
                    raise
                raise AnnotateError(f"cannot measure distances to {ref!r}: {err}") from None
            if "id" not in target:
                raise AnnotateError(f"--distance-to takes feature ids or names, not {ref!r}")
            self.targets.append(target["id"])

    #: Most points per request the server took (remote only; None until one was refused).
    max_points: int | None = None

    @property
    def parallel(self) -> bool:
        return self.snapshot.parallel

    def columns(self) -> list[str]:
        names = ["geocheck_verdict"]
        for zone in self.zone_ids:
            names += [f"{zone}_verdict", f"{zone}_distance_to_boundary_m"]
        names += [f"distance_to_{t}_m" for t in self.targets]
        return [*names, "geocheck_error"]

    def compute(self, lat: np.ndarray, lon: np.ndarray) -> list[Any]:
        """The added columns (without the error column) for every point: verdicts as lists
        of names, distances as float arrays (m).

        A server whose batch limit is below the chunk answers 413: the points are then
        sent in halves, and the size that worked is kept for the next chunks.
        """
        limit = self.max_points or lat.size
        if lat.size > limit:
            parts = [
                self.compute(lat[i : i + limit], lon[i : i + limit])
                for i in range(0, lat.size, limit)
            ]
            return [_joined(column) for column in zip(*parts, strict=True)]
        try:
            return self._compute(lat, lon)
        except GeocheckError as err:
            if err.status != 413 or lat.size < 2:
                raise
        self.max_points = lat.size // 2
        return self.compute(lat, lon)

    def _compute(self, lat: np.ndarray, lon: np.ndarray) -> list[Any]:
        answer = self.snapshot.check_columns(lat, lon, zones=self.zone_ids)
        results = answer["results"]
        columns: list[Any] = [list(results["verdict"])]
        for zone in self.zone_ids:
            column = results["zones"][zone]
            columns.append(list(column["verdict"]))
            columns.append(np.asarray(column["distance_to_boundary_m"], dtype=np.float64))
        for target in self.targets:
            distances = self.snapshot.distance_columns(lat, lon, target)["results"]
            columns.append(np.asarray(distances["distance_m"], dtype=np.float64))
        return columns


def _joined(parts: tuple[Any, ...]) -> Any:
    """One column from its parts: lists concatenated, or arrays."""
    if isinstance(parts[0], list):
        return [value for part in parts for value in part]
    return np.concatenate(parts)


@dataclass
class Batch:
    """One chunk on its way through: where its rows are, their coordinates, and what its
    format needs to write it back."""

    #: Input line (or feature number) of each row.
    numbers: Sequence[int]
    located: Located
    payload: Any


def run(
    batches: Iterable[Batch],
    annotator: Annotator,
    write: Callable[[Batch, list[Any]], None],
    report: Report,
    options: Options,
) -> None:
    """Compute every batch and write it, in input order. The main thread parses and writes
    while ``workers`` threads compute the batches in flight."""
    workers = (options.workers or _default_workers()) if annotator.parallel else 1
    pending: deque[tuple[Batch, Future[list[Any]]]] = deque()

    def finish() -> None:
        batch, future = pending.popleft()
        columns = future.result()
        for index, reason in sorted(batch.located.bad.items()):
            report.bad.append((batch.numbers[index], reason))
        report.rows += len(batch.numbers)
        report.annotated += len(batch.numbers) - len(batch.located.bad)
        report.inside += columns[0].count("inside") - sum(
            columns[0][i] == "inside" for i in batch.located.bad
        )
        write(batch, columns)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="annotate") as pool:
        for batch in batches:
            if options.strict and batch.located.bad:
                index = min(batch.located.bad)
                reason = batch.located.bad[index]
                raise AnnotateError(reason, batch.numbers[index], report.unit)
            located = batch.located
            pending.append((batch, pool.submit(annotator.compute, located.lat, located.lon)))
            if len(pending) > workers:
                finish()
        while pending:
            finish()


def _default_workers() -> int:
    """One per CPU this process may use, at most three: beyond that the main thread's
    reading and writing is the limit, and each chunk in flight costs ~40 MB (measured on
    the 1M-row bench: 224 MB with 2 threads, 264 with 3, 308 with 4, 457 with 8)."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    return max(1, min(usable, 3))


def chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk
