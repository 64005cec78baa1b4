"""The added columns as cells: CSV text or JSON values, metres to the millimetre, and the
error column, with a bad row's other cells left empty."""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson


def _millimetres(metres: np.ndarray) -> np.ndarray:
    """Rounded to the millimetre (and -0.0 made 0.0): the nearest double to k/1000, so its
    shortest text has at most three decimals."""
    return np.round(metres, 3) + 0.0


def _decimal_texts(metres: np.ndarray) -> list[str]:
    """Each value's shortest text, to the millimetre: orjson writes a whole array in C,
    several times faster than formatting one float at a time."""
    text = orjson.dumps(_millimetres(metres), option=orjson.OPT_SERIALIZE_NUMPY).decode()
    return text[1:-1].split(",") if metres.size else []


def text_cells(columns: list[Any], bad: dict[int, str], delimiter: str) -> list[list[str]]:
    """Added columns as CSV text (metres to the millimetre), error column included; bad
    rows' cells empty."""
    cells = [c if isinstance(c, list) else _decimal_texts(c) for c in columns]
    errors = [""] * len(cells[0])
    for index, reason in bad.items():
        for column in cells:
            column[index] = ""
        errors[index] = quoted(reason, delimiter)
    return [*cells, errors]


def json_cells(columns: list[Any], bad: dict[int, str]) -> list[list[Any]]:
    """Added columns as JSON values (metres rounded to the millimetre), error column
    included; bad rows' values null."""
    cells = [c if isinstance(c, list) else _millimetres(c).tolist() for c in columns]
    errors: list[str | None] = [None] * len(cells[0])
    for index, reason in bad.items():
        for column in cells:
            column[index] = None
        errors[index] = reason
    return [*cells, errors]


def quoted(text: str, delimiter: str) -> str:
    """One CSV cell: quoted (quotes doubled) when it holds a delimiter, quote or newline."""
    if delimiter in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text
