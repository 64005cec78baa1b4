"""What an annotation run is given (:class:`Options`), what it reports (:class:`Report`), and
the error for input that cannot be annotated at all (:class:`AnnotateError`)."""

from __future__ import annotations

from dataclasses import dataclass, field


class AnnotateError(ValueError):
    """Input that cannot be annotated at all (no coordinate columns, or a bad row with
    ``strict``). ``line`` is the 1-based input line (feature, for GeoJSON) where known."""

    def __init__(self, message: str, line: int | None = None, unit: str = "line") -> None:
        super().__init__(f"{unit} {line}: {message}" if line else message)
        self.line = line


@dataclass
class Options:
    lat_col: str | None = None
    lon_col: str | None = None
    coord_col: str | None = None
    distance_to: list[str] = field(default_factory=list)
    zones: list[str] | None = None
    at: str | None = None
    strict: bool = False
    #: Rows per chunk; default 50,000 CSV lines, or 10,000 JSON objects (several times
    #: larger in memory than a line of text).
    chunk_size: int | None = None
    #: Threads computing chunks (0: one per CPU, at most 3). A remote client uses one.
    workers: int = 0
    #: Text encoding of the input (UTF-8 by default; a byte-order mark is skipped).
    encoding: str = "utf-8-sig"


@dataclass
class Report:
    rows: int = 0
    annotated: int = 0
    #: (line, reason) for every row that could not be answered.
    bad: list[tuple[int, str]] = field(default_factory=list)
    inside: int = 0
    #: What ``bad`` numbers: input lines, or features of a GeoJSON collection.
    unit: str = "line"
