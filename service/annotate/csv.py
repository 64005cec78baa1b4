"""CSV: each output line is the input record's text, untouched, joined to its added cells.

The lat and lon columns of a chunk are read by numpy's C reader (:class:`BulkColumns`)
when the chunk is one record per line; other chunks (blank lines, quoted fields over
several lines) go through the csv module, also C. Only bad rows are read one by one, to
say why.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from itertools import chain, islice
from operator import itemgetter
from typing import IO, Any

import numpy as np

from service.annotate.cells import quoted, text_cells
from service.annotate.locate import Located, Locator
from service.annotate.options import AnnotateError, Options, Report
from service.annotate.pipeline import Annotator, Batch, run

#: Delimiters recognised from a CSV header line that has no comma.
OTHER_DELIMITERS = ("\t", ";", "|")
#: Default rows per chunk (see :attr:`Options.chunk_size`).
CSV_CHUNK = 50_000


def _delimiter(header_line: str) -> str:
    """Comma, unless the header has none and holds a tab, semicolon or bar."""
    if "," in header_line:
        return ","
    counts = {d: header_line.count(d) for d in OTHER_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _records_spanning(
    lines: list[str], rest: Iterator[str], delimiter: str
) -> tuple[list[list[str]], list[str], list[int]]:
    """Parse lines holding a quoted field that spans lines: the records, each record's
    raw text and how many lines it took. A record cut at the end of ``lines`` is finished
    from ``rest``."""
    taken: list[str] = []
    source = chain(lines, rest)

    def tap() -> Iterator[str]:
        for line in source:
            taken.append(line)
            yield line

    records, texts, spans = [], [], []
    consumed = 0
    for record in csv.reader(tap(), delimiter=delimiter):
        records.append(record)
        texts.append("".join(taken).rstrip("\r\n"))
        spans.append(len(taken))
        consumed += len(taken)
        taken.clear()
        if consumed >= len(lines):
            break
    return records, texts, spans


def _open_quote(rows: list[list[str]]) -> bool:
    """Whether the last record ends inside a quoted field (its line break kept in the
    field): the record goes on in the next chunk."""
    last = rows[-1] if rows else []
    return bool(last) and last[-1][-1:] in ("\n", "\r")


@dataclass
class BulkColumns:
    """Reads the lat and lon columns of a chunk of CSV lines in one call to numpy's C
    reader (several times faster than the csv module, which builds every cell).

    A line it cannot read (a bad number, a short row: the header's last column is read
    too, to prove the row is long enough) gets NaN, and :meth:`Locator.settle` reads that
    line again with the csv module, whose reading is the reference: it takes what numpy
    refused (numpy's number syntax is a subset of Python's ``float``) or says why the row
    is bad. A chunk that is not one record per line (a blank line, a quoted field over
    several lines) is refused whole (``None``): it goes through the csv module.
    """

    columns: tuple[int, ...]
    dtype: np.dtype[Any]
    delimiter: str

    @classmethod
    def for_header(cls, locator: Locator, width: int, delimiter: str) -> BulkColumns | None:
        if locator.lat is None or locator.lon is None or locator.positions is None:
            return None
        lat, lon = locator.positions[locator.lat], locator.positions[locator.lon]
        fields = [("lat", "f8"), ("lon", "f8")]
        columns = [lat, lon]
        if width - 1 not in columns:
            columns.append(width - 1)
            fields.append(("last", "S1"))  # read only to prove the column is there
        return cls(tuple(columns), np.dtype(fields), delimiter)

    def read(self, lines: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
        """lat and lon of every line (NaN where numpy cannot read it), or ``None``."""
        whole = self._load(lines)
        if whole is None:
            # Some line is not plain. If numpy still reads one record per line (its
            # reading of quotes, the one a whole chunk is trusted with), the lines can be
            # read in halves until the bad ones are alone.
            if not self._one_record_per_line(lines):
                return None
            whole = self._split(lines)
        # Fewer records than lines would have failed; a record running on into the next
        # chunk would not.
        return None if _open_quote(self.parse(lines[-1:])) else whole

    def parse(self, lines: list[str]) -> list[list[str]]:
        return list(csv.reader(lines, delimiter=self.delimiter))

    def _one_record_per_line(self, lines: list[str]) -> bool:
        first = self._table(lines, np.dtype("S1"), (0,))
        return first is not None and first.shape[0] == len(lines)

    def _split(self, lines: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Halves retried until the lines numpy refuses are alone (NaN): a few bad rows
        cost a few more passes, not the csv module for the whole chunk."""
        whole = self._load(lines)
        if whole is not None:
            return whole
        if len(lines) == 1:
            return np.array([np.nan]), np.array([np.nan])
        middle = len(lines) // 2
        first, second = self._split(lines[:middle]), self._split(lines[middle:])
        return np.concatenate([first[0], second[0]]), np.concatenate([first[1], second[1]])

    def _load(self, lines: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
        table = self._table(lines, self.dtype, self.columns)
        if table is None or table.shape[0] != len(lines):  # blank lines, multi-line records
            return None
        return np.ascontiguousarray(table["lat"]), np.ascontiguousarray(table["lon"])

    def _table(
        self, lines: list[str], dtype: np.dtype[Any], columns: tuple[int, ...]
    ) -> np.ndarray | None:
        """numpy's reading of some columns of the lines, or ``None`` where it refuses."""
        if not lines[0].strip() and not "".join(lines).strip():
            return None  # nothing but blank lines (numpy would warn)
        try:
            return np.loadtxt(
                lines,
                dtype=dtype,
                delimiter=self.delimiter,
                usecols=columns,
                quotechar='"',
                comments=None,
                ndmin=1,
            )
        except (ValueError, TypeError):
            return None


def _records(
    lines: list[str], rest: Iterator[str], delimiter: str
) -> tuple[list[list[str]], list[str], list[int]]:
    """The records of a chunk of lines, each record's text (its lines, line end stripped)
    and how many lines it took. The csv module parses in C; this loop only notes where each
    record ends. A record cut at the end of the chunk is finished from ``rest``."""
    reader = csv.reader(lines, delimiter=delimiter)
    rows: list[list[str]] = []
    ends: list[int] = []
    for row in reader:
        rows.append(row)
        ends.append(reader.line_num)
    starts = [0, *ends[:-1]]
    spans = np.diff([0, *ends])
    texts = list(map(lines.__getitem__, starts))
    for k in np.flatnonzero(spans > 1).tolist():  # a quoted field over several lines
        texts[k] = "".join(lines[starts[k] : ends[k]])
    if _open_quote(rows):  # maybe cut: parse it again, reading on as far as it goes
        last, text, span = _records_spanning(lines[starts[-1] :], rest, delimiter)
        rows[-1], texts[-1], spans[-1] = last[0], text[0], span[0]
    return rows, [text.rstrip("\r\n") for text in texts], spans.tolist()


def _settle_lines(
    locator: Locator,
    table: tuple[np.ndarray, np.ndarray],
    lines: list[str],
    texts: list[str],
    width: int,
    delimiter: str,
) -> Located:
    """:meth:`Locator.settle` for lines read in bulk: the rows it asks for are parsed on
    their own, and those shorter than the header padded in ``texts`` so that added cells
    line up (numpy read every other row's last column)."""
    asked: dict[int, list[str]] = {}

    def row_at(index: int) -> list[str]:
        row = asked[index] = next(csv.reader(lines[index : index + 1], delimiter=delimiter), [])
        return row

    located = locator.settle(*table, row_at)
    for index, row in asked.items():
        if len(row) < width:
            texts[index] += delimiter * (width - max(len(row), 1))
    return located


def annotate_csv(
    stream: IO[str],
    target: IO[str],
    annotator: Annotator,
    options: Options,
    report: Report,
    advance: Callable[[], None],
) -> None:
    first = stream.readline()
    if not first.strip():
        raise AnnotateError("the CSV file is empty")
    delimiter = _delimiter(first)
    try:
        headers, header_texts, header_spans = _records_spanning([first], stream, delimiter)
    except csv.Error as err:
        raise AnnotateError(str(err), 1) from None
    header = headers[0]
    locator = Locator.for_columns(header, options)
    locator.positions = {name: i for i, name in enumerate(header)}
    width = len(header)
    names = annotator.columns()
    target.write(delimiter.join([header_texts[0], *(quoted(n, delimiter) for n in names)]))
    target.write("\n")

    bulk = BulkColumns.for_header(locator, width, delimiter)
    # Column getters, run in C over a whole chunk (none for one combined column).
    getters = [itemgetter(locator.positions[c]) for c in (locator.lat, locator.lon) if c]

    def batches() -> Iterator[Batch]:
        line = 1 + header_spans[0]
        while lines := list(islice(stream, options.chunk_size or CSV_CHUNK)):
            table = bulk.read(lines) if bulk else None
            if bulk and table is not None:  # one record per line
                texts = [text.rstrip("\r\n") for text in lines]
                numbers: Sequence[int] = range(line, line + len(lines))
                line += len(lines)
                located = _settle_lines(locator, table, lines, texts, width, delimiter)
                yield Batch(numbers, located, texts)
                continue
            try:
                rows, texts, spans = _records(lines, stream, delimiter)
            except csv.Error as err:
                raise AnnotateError(str(err), line) from None
            numbers = np.cumsum([line, *spans[:-1]]).tolist()
            line += sum(spans)
            if min(map(len, rows)) < width:  # pad short rows so added cells line up
                texts = [
                    t + delimiter * (width - max(len(r), 1)) if len(r) < width else t
                    for t, r in zip(texts, rows, strict=True)
                ]
            cells = None
            if getters:
                with suppress(IndexError):  # short rows: read them with the bounds checks
                    cells = (list(map(getters[0], rows)), list(map(getters[1], rows)))
            yield Batch(numbers, locator.locate(rows, cells), texts)

    def write(batch: Batch, columns: list[Any]) -> None:
        cells = text_cells(columns, batch.located.bad, delimiter)
        target.write("\n".join(map(delimiter.join, zip(batch.payload, *cells, strict=True))))
        target.write("\n")
        advance()

    run(batches(), annotator, write, report, options)
