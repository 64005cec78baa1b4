"""OGC API – Features filters: which of a collection's features the property parameters
and a Part 3 CQL2 ``filter`` of an items request select, without Flask.

Filters are parsed by pygeofilter (cql2-text, cql2-json; ``cql-text`` is read as cql2-text,
as GDAL names it) and evaluated here, over the published queryables only, on the features
as they are served (GeoJSON, the ``properties`` members).

Semantics, stated once (the queryables document repeats them):

* Logic is three-valued, as in SQL and CQL2: a comparison with a missing (null) value is
  unknown, ``NOT`` unknown is unknown, and only features whose filter is true are
  selected; ``IS NULL`` tests for a null. ``valid_from`` / ``valid_to`` are instants; a
  string compared with them is read as an RFC 3339 instant (GDAL sends them so).
  ``valid_to`` null means "no end".
* Temporal predicates (``T_BEFORE`` … ``T_INTERSECTS``, ``T_DISJOINT``) follow CQL2 / Allen:
  an instant is the interval ``[t, t]``; ``..`` is an open end.
* Spatial predicates (``S_INTERSECTS``, ``S_WITHIN``, ``S_CONTAINS``, ``S_DISJOINT``,
  ``S_EQUALS``, ``S_TOUCHES``, ``S_CROSSES``, ``S_OVERLAPS``) are evaluated by shapely in
  longitude/latitude (CRS84). ``BBOX`` operands are boxes of meridians and parallels,
  which is what a bbox is, so they are exact. The edges of a filter's own geometries
  (polygons, lines) are geodesics, as everywhere in geocheck: they are densified along the
  WGS84 geodesic to within :data:`EDGE_TOLERANCE_M` before the test. Features are taken as
  served: sites are points (exact); zones are their display polygons (within
  ``display_max_error_m`` of the exact geodesic circle); route and border vertices are
  joined straight in longitude/latitude, which departs from the geodesic through the same
  vertices by up to about ``L² tan(lat) / 8R`` for an edge of length L: for the shipped
  data at most 2.4 m on the route (edges up to 13.5 km) and 28 m on the borders (edges up
  to 44 km; the 1:50m borders are themselves off by a kilometre or two). A feature that
  close to a filter's edge may be answered either way. Geometries crossing the
  antimeridian are not split: a filter geometry must not cross it (a BBOX may, as
  ``minlon > maxlon``).
"""

from __future__ import annotations

import itertools
import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from schemas.base import parse_instant
from service.answers.errors import FilterError
from service.geodesy import WGS84

#: How far a densified filter edge may stray from its geodesic.
EDGE_TOLERANCE_M = 1.0
#: The filter languages accepted; ``cql-text`` is GDAL's (older) name for cql2-text.
FILTER_LANGS = ("cql2-text", "cql2-json", "cql-text")
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
#: The CRS a filter's geometries may be given in.
FILTER_CRS = (CRS84, "http://www.opengis.net/def/crs/EPSG/0/4326", "EPSG:4326")

#: The properties a filter may name, with their type (the queryables document lists them).
QUERYABLES: dict[str, str] = {
    "geometry": "geometry",
    "id": "string",
    "name": "string",
    "kind": "string",
    "uncertainty_m": "number",
    "valid_from": "instant",
    "valid_to": "instant",
}
#: What the filters mean, for the queryables document.
SEMANTICS = (
    "The properties a CQL2 filter (filter-lang cql2-text, cql2-json; cql-text is read as "
    "cql2-text) may name. Comparisons with a null are unknown (three-valued logic, as in "
    "SQL: NOT unknown is unknown; only true selects); valid_to null means "
    "no end. Temporal predicates (T_BEFORE … T_INTERSECTS, T_DISJOINT) follow CQL2 "
    "(an instant is [t, t]). Spatial predicates (S_INTERSECTS, S_WITHIN, S_CONTAINS, "
    "S_DISJOINT, S_EQUALS, S_TOUCHES, S_CROSSES, S_OVERLAPS) are evaluated in "
    "longitude/latitude (CRS84): a BBOX is a box of meridians and parallels (exact); the "
    "edges of a filter's polygons and lines are geodesics on WGS84 (densified to within "
    "1 m); features are taken as served (zones as display polygons within "
    "display_max_error_m of the exact circle; route and border vertices joined straight "
    "in longitude/latitude: within about L² tan(lat) / 8R of the geodesic for an edge of "
    "length L, at most 2.4 m on the shipped route and 28 m on the borders). Filter "
    "geometries must not cross the antimeridian (a BBOX may)."
)
#: The kinds of feature (the ``kind`` property).
KINDS = ("site", "route", "zone", "area")
#: The properties that may also be given as ``name=value`` query parameters (equality).
PROPERTY_PARAMETERS = ("name", "kind", "uncertainty_m", "valid_from", "valid_to")

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions",
    # The names of the drafts, which clients of their time (QGIS 3.28–3.34) look for.
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/temporal-operators",
]

Feature = Mapping[str, Any]
#: A compiled condition: True, False or None (unknown: a null was compared), as in SQL and
#: CQL2; a feature is selected only where its filter is True.
Condition = Callable[[Feature], bool | None]
Predicate = Callable[[Feature], bool]


# ---------------------------------------------------------------------------- parsing


_TEMPORAL_CALL = re.compile(
    r"\b(T_(?:BEFORE|AFTER|MEETS|METBY|OVERLAPS|OVERLAPPEDBY|BEGINS|BEGUNBY|DURING|CONTAINS"
    r"|ENDS|ENDEDBY|EQUALS|INTERSECTS|DISJOINT))\s*\(",
    re.IGNORECASE,
)
#: Stands for an escaped quote ('') inside a string while pygeofilter parses the text.
_QUOTE = "\ue000"


def _blank_strings(text: str) -> str:
    """``text`` with the inside of each quoted string blanked (same length), so that the
    scanners below never read a bracket or comma inside a string."""
    return re.sub(r"'[^']*'", lambda m: "'" + " " * (len(m.group()) - 2) + "'", text)


def _close(text: str, start: int) -> tuple[list[tuple[int, int]], int]:
    """The top-level argument spans of the call whose ``(`` is at ``start - 1``, and the
    index of its ``)``."""
    blank = _blank_strings(text)
    depth, spans, begin = 0, [], start
    for index in range(start, len(text)):
        char = blank[index]
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                spans.append((begin, index))
                return spans, index
            depth -= 1
        elif char == "," and depth == 0:
            spans.append((begin, index))
            begin = index + 1
    raise FilterError("Unbalanced parentheses in filter.")


def _temporal(name: str, first: str, second: str) -> str:
    """One CQL2 temporal call in pygeofilter 0.4's infix dialect. T_INTERSECTS and
    T_DISJOINT are spelt with T_BEFORE and T_AFTER: pygeofilter reads T_INTERSECTS as
    T_OVERLAPS and has no T_DISJOINT."""
    if name == "T_INTERSECTS":
        return f"(NOT ({first} T_BEFORE {second}) AND NOT ({first} T_AFTER {second}))"
    if name == "T_DISJOINT":
        return f"(({first} T_BEFORE {second}) OR ({first} T_AFTER {second}))"
    return f"({first} {name} {second})"


def _cql2_text(text: str) -> str:
    """CQL2 text in the dialect pygeofilter 0.4 parses: temporal functions written as calls
    (``T_BEFORE(a, b)``, as CQL2 writes them) become its infix form, and ``''`` (an
    escaped quote) a placeholder its grammar does not trip on."""
    text = text.replace("''", _QUOTE)
    while True:
        blank = _blank_strings(text)
        match = _TEMPORAL_CALL.search(blank)
        if match is None:
            break
        spans, end = _close(text, match.end())
        name = match.group(1).upper()
        if len(spans) != 2:
            raise FilterError(f"{name} takes two arguments.")
        first, second = (text[a:b].strip() for a, b in spans)
        text = text[: match.start()] + _temporal(name, first, second) + text[end + 1 :]
    if re.search(r"\bT_(INTERSECTS|DISJOINT)\b", _blank_strings(text), re.IGNORECASE):
        raise FilterError("Write temporal predicates as calls: T_INTERSECTS(a, b).")
    return text


def _normalised_json(node: Any) -> Any:
    """CQL2 JSON in the form pygeofilter 0.4 parses: ``between`` with three arguments as
    two comparisons; ``t_intersects`` / ``t_disjoint`` through ``t_before`` / ``t_after``
    (pygeofilter reads t_intersects as t_overlaps and has no t_disjoint)."""
    if isinstance(node, list):
        return [_normalised_json(n) for n in node]
    if not isinstance(node, dict):
        return node
    if "op" in node and isinstance(node.get("args"), list):
        op = str(node["op"]).lower()
        args = _normalised_json(node["args"])
        if op == "between" and len(args) == 3:
            subject, low, high = args
            return {
                "op": "and",
                "args": [
                    {"op": ">=", "args": [subject, low]},
                    {"op": "<=", "args": [subject, high]},
                ],
            }
        if op in ("t_intersects", "t_disjoint") and len(args) == 2:
            disjoint = {
                "op": "or",
                "args": [{"op": "t_before", "args": args}, {"op": "t_after", "args": args}],
            }
            return disjoint if op == "t_disjoint" else {"op": "not", "args": [disjoint]}
        return {**node, "args": args}
    return {key: _normalised_json(value) for key, value in node.items()}


@cache
def _text_parser() -> Any:
    """pygeofilter's cql2-text parser with one fix to its grammar: ``NOT (…)`` takes any
    condition, not only a single predicate (pygeofilter 0.4 refuses ``NOT (a OR b)``, which
    GDAL sends for ``-where "NOT (a OR b)"``). The stock parser if the grammar moved on."""
    from lark import Lark
    from pygeofilter.parsers.cql2_text import parser as stock

    grammar_path = Path(stock.__file__).with_name("grammar.lark")
    grammar = grammar_path.read_text(encoding="utf-8")
    narrow, wide = '"NOT"i "(" predicate ")"', '"NOT"i "(" condition ")"'
    relative = "%import .wkt.ewkt_geometry"
    if narrow not in grammar or relative not in grammar:
        return stock.parser
    grammar = grammar.replace(narrow, wide).replace(relative, "%import wkt.ewkt_geometry")
    return Lark(
        grammar,
        parser="lalr",
        maybe_placeholders=False,
        transformer=stock.CQLTransformer(),
        import_paths=[str(grammar_path.parent.parent)],
    )


def parse_filter(text: str, lang: str | None) -> Any:
    """The pygeofilter AST of ``text`` in ``lang`` (default cql2-text).

    Parameters
    ----------
    text : str
        The ``filter`` query argument as received.
    lang : str or None
        The ``filter-lang`` argument (one of :data:`FILTER_LANGS`, any case), or None for
        cql2-text.

    Returns
    -------
    tuple
        The encoding (``"text"`` or ``"json"``) and the AST.

    Raises
    ------
    FilterError
        For an unknown language (``filter-lang``), an empty filter, or text that does not
        parse (naming the parse error).
    """
    import orjson
    from pygeofilter.parsers.cql2_json import parse as parse_json

    lang = "cql2-text" if lang is None else lang.lower()  # given empty is no language
    if lang not in FILTER_LANGS:
        raise FilterError(
            f"filter-lang must be one of {', '.join(FILTER_LANGS)}.", field="filter-lang"
        )
    if not text.strip():
        raise FilterError("The filter is empty.")
    try:
        if lang == "cql2-json":
            try:
                document = orjson.loads(text)
            except orjson.JSONDecodeError as err:
                raise FilterError(f"The filter is not JSON: {err}.") from None
            return ("json", parse_json(orjson.dumps(_normalised_json(document)).decode()))
        return ("text", _text_parser().parse(_cql2_text(text)))
    except FilterError:
        raise
    except Exception as err:  # pygeofilter raises lark errors, ValueError, TypeError…
        message = " ".join(str(err).split())
        if len(message) > 300:
            message = message[:300] + "…"
        raise FilterError(f"The filter does not parse as {lang}: {message}") from None


# ---------------------------------------------------------------------------- evaluating


@dataclass(frozen=True)
class _Box:
    """A box of meridians and parallels; ``west > east`` crosses the antimeridian."""

    west: float
    south: float
    east: float
    north: float

    def shapes(self) -> list[BaseGeometry]:
        if self.west <= self.east:
            return [_envelope(self.west, self.south, self.east, self.north)]
        return [
            _envelope(self.west, self.south, 180.0, self.north),
            _envelope(-180.0, self.south, self.east, self.north),
        ]

    def geometry(self) -> BaseGeometry:
        parts = self.shapes()
        return parts[0] if len(parts) == 1 else shapely.union_all(parts)


def _envelope(west: float, south: float, east: float, north: float) -> BaseGeometry:
    """The box, or the line or point it shrinks to when it has no width or height."""
    if west == east and south == north:
        return shapely.Point(west, south)
    if west == east or south == north:
        return shapely.LineString([(west, south), (east, north)])
    return shapely.box(west, south, east, north)


def _densify_ring(coordinates: Iterable[Any]) -> list[tuple[float, float]]:
    """The vertices of a line with points added along each geodesic edge, close enough
    that the straight lon/lat chords stay within EDGE_TOLERANCE_M of it."""
    points = [(float(p[0]), float(p[1])) for p in coordinates]
    out: list[tuple[float, float]] = []
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(points):
        out.append((lon1, lat1))
        length = WGS84.inv(lon1, lat1, lon2, lat2)[2]
        latitude = min(max(abs(lat1), abs(lat2)), 89.0)
        # sagitta of a chord of length l at this latitude ≈ l² tan(lat) / 8R
        step = math.sqrt(
            8 * 6_371_000 * EDGE_TOLERANCE_M / max(math.tan(math.radians(latitude)), 1e-3)
        )
        count = min(int(length // step), 10_000)
        if count > 0:
            out.extend((lon, lat) for lon, lat in WGS84.npts(lon1, lat1, lon2, lat2, count))
    if points:
        out.append(points[-1])
    return out


def _geodesic(geometry: dict[str, Any]) -> BaseGeometry:
    """A GeoJSON geometry literal of a filter, its edges densified along geodesics."""
    kind = geometry.get("type")
    coordinates: Any = geometry.get("coordinates")
    try:
        if kind in ("LineString",):
            coordinates = _densify_ring(coordinates)
        elif kind in ("Polygon", "MultiLineString"):
            coordinates = [_densify_ring(ring) for ring in coordinates]
        elif kind == "MultiPolygon":
            coordinates = [[_densify_ring(ring) for ring in polygon] for polygon in coordinates]
        result = shape({"type": kind, "coordinates": coordinates})
    except Exception as err:
        raise FilterError(f"Invalid geometry in the filter: {err}.") from None
    for lon, lat in shapely.get_coordinates(result):
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise FilterError(
                "Filter geometries are longitude, latitude (CRS84): "
                f"({lon}, {lat}) is out of range."
            )
    crs = (geometry.get("crs") or {}).get("properties", {}).get("name")
    if crs and not any(crs.endswith(c) for c in ("4326", "CRS84")):
        raise FilterError(f"Filter geometries must be in CRS84, not {crs}.")
    return result


def _instant(value: Any, what: str = "filter") -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        try:
            return parse_instant(value.replace(_QUOTE, "'"))
        except Exception:
            raise FilterError(f"{value!r} is not an RFC 3339 instant (in {what}).") from None
    raise FilterError(f"{value!r} is not an instant.")


class _Compiler:
    """Compiles a pygeofilter AST into a predicate over served GeoJSON features."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding

    # ---- values: each compiles to a function of the feature
    def value(self, node: Any) -> tuple[str, Callable[[Feature], Any]]:
        """(type, getter): type is string, number, boolean, instant, interval, geometry,
        list or any."""
        from pygeofilter import ast, values

        if isinstance(node, ast.Attribute):
            name = node.name
            if name not in QUERYABLES:
                raise FilterError(
                    f"Unknown property {name!r}; the queryables are {', '.join(QUERYABLES)}."
                )
            kind = QUERYABLES[name]
            if kind == "geometry":
                return kind, _feature_geometry
            if name == "id":
                return kind, lambda f: f.get("id")
            if kind == "instant":
                return kind, lambda f, n=name: _property_instant(f, n)
            return kind, lambda f, n=name: (f.get("properties") or {}).get(n)
        if isinstance(node, bool):
            return "boolean", _constant(node)
        if isinstance(node, int | float):
            return "number", _constant(node)
        if isinstance(node, str):
            text = node.replace(_QUOTE, "'")
            return "string", _constant(text)
        if isinstance(node, datetime | date):
            moment = _instant(node)
            return "instant", _constant(moment)
        if isinstance(node, values.Interval):
            start = None if node.start in (None, "..") else _instant(node.start)
            end = None if node.end in (None, "..") else _instant(node.end)
            return "interval", _constant((start, end))
        if isinstance(node, values.Geometry):
            geometry = _geodesic(node.geometry)
            return "geometry", _constant(geometry)
        if isinstance(node, values.Envelope):
            if self.encoding != "json":
                raise FilterError("Use BBOX(minlon, minlat, maxlon, maxlat) for a box.")
            # pygeofilter 0.4 reads the JSON [minx, miny, maxx, maxy] into x1, x2, y1, y2.
            envelope = _Box(node.x1, node.x2, node.y1, node.y2).geometry()
            return "geometry", _constant(envelope)
        if isinstance(node, ast.Function):
            return self.function(node)
        if isinstance(node, list):
            items = [self.value(n) for n in node]
            return "list", lambda f, g=items: [get(f) for _, get in g]
        if isinstance(node, ast.Arithmetic):
            return self.arithmetic(node)
        raise FilterError(f"Unsupported expression in the filter: {type(node).__name__}.")

    def function(self, node: Any) -> tuple[str, Callable[[Feature], Any]]:
        name = node.name.lower()
        if name == "bbox":
            numbers = node.arguments
            if len(numbers) not in (4, 6) or not all(isinstance(n, int | float) for n in numbers):
                raise FilterError("BBOX takes four numbers: minlon, minlat, maxlon, maxlat.")
            west, south, east, north = (
                numbers if len(numbers) == 4 else (numbers[0], numbers[1], numbers[3], numbers[4])
            )
            if not (-90 <= south <= north <= 90 and -180 <= west <= 180 and -180 <= east <= 180):
                raise FilterError("BBOX: longitudes in [-180, 180], -90 ≤ minlat ≤ maxlat ≤ 90.")
            box = _Box(float(west), float(south), float(east), float(north)).geometry()
            return "geometry", _constant(box)
        if name in ("lower", "upper", "casei", "accenti") and len(node.arguments) == 1:
            kind, get = self.value(node.arguments[0])
            if kind not in ("string", "any"):
                raise FilterError(f"{name.upper()} takes a string.")

            def folded(f: Feature, g: Callable[[Feature], Any] = get) -> Any:
                value = g(f)
                return value.casefold() if isinstance(value, str) else value

            return "string", folded
        raise FilterError(f"Unknown function {node.name!r} in the filter.")

    def arithmetic(self, node: Any) -> tuple[str, Callable[[Feature], Any]]:
        ops = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
        op = ops[node.op.value]
        (lk, lhs), (rk, rhs) = self.value(node.lhs), self.value(node.rhs)
        if lk != "number" or rk != "number":
            raise FilterError("Arithmetic takes numbers.")

        def compute(f: Feature) -> Any:
            a, b = lhs(f), rhs(f)
            if a is None or b is None:
                return None
            try:
                return op(a, b)
            except ZeroDivisionError:
                return None

        return "number", compute

    # ---- predicates
    def compile(self, node: Any) -> Condition:
        from pygeofilter import ast

        if isinstance(node, ast.And):
            lhs, rhs = self.compile(node.lhs), self.compile(node.rhs)
            return lambda f: _and(lhs(f), rhs(f))
        if isinstance(node, ast.Or):
            lhs, rhs = self.compile(node.lhs), self.compile(node.rhs)
            return lambda f: _or(lhs(f), rhs(f))
        if isinstance(node, ast.Not):
            inner = self.compile(node.sub_node)
            return lambda f: _not(inner(f))
        if isinstance(node, ast.Include):
            return _constant(not node.not_)
        if isinstance(node, ast.Comparison):
            return self.comparison(node)
        if isinstance(node, ast.Between):
            low = self.comparison(ast.GreaterEqual(node.lhs, node.low))
            high = self.comparison(ast.LessEqual(node.lhs, node.high))
            inside: Condition = lambda f: _and(low(f), high(f))  # noqa: E731
            return (lambda f: _not(inside(f))) if node.not_ else inside
        if isinstance(node, ast.Like):
            return self.like(node)
        if isinstance(node, ast.In):
            return self.within_list(node)
        if isinstance(node, ast.IsNull):
            _, get = self.value(node.lhs)
            negate = bool(node.not_)
            return lambda f: (get(f) is None) != negate
        if isinstance(node, ast.TemporalPredicate):
            return self.temporal(node)
        if isinstance(node, ast.SpatialComparisonPredicate):
            return self.spatial(node)
        if isinstance(node, ast.BBox):
            box = _Box(node.minx, node.miny, node.maxx, node.maxy)
            target = ast.GeometryIntersects(node.lhs, None)
            return self.spatial(target, box.geometry())
        if isinstance(node, bool):
            return _constant(node)
        raise FilterError(f"Unsupported predicate in the filter: {type(node).__name__}.")

    def comparison(self, node: Any) -> Condition:
        ops: dict[str, Callable[[Any, Any], bool]] = {
            "=": operator.eq,
            "<>": operator.ne,
            "<": operator.lt,
            "<=": operator.le,
            ">": operator.gt,
            ">=": operator.ge,
        }
        op = ops[node.op.value]
        (lk, lhs), (rk, rhs) = self.value(node.lhs), self.value(node.rhs)
        lhs, rhs = _coerced(lk, lhs, rk), _coerced(rk, rhs, lk)
        if {lk, rk} == {"string", "instant"}:
            lk = rk = "instant"
        kinds = {lk, rk} - {"any"}
        if "geometry" in kinds or "interval" in kinds or "list" in kinds:
            raise FilterError("Compare numbers, strings or instants; use S_… or T_… for the rest.")
        if len({_family(k) for k in kinds}) > 1:
            raise FilterError(f"Cannot compare a {lk} with a {rk}.")

        def test(f: Feature) -> bool | None:
            a, b = lhs(f), rhs(f)
            if a is None or b is None:
                return None
            return bool(op(a, b))

        return test

    def like(self, node: Any) -> Condition:
        from pygeofilter import ast

        kind, get = self.value(node.lhs)
        pattern_node, nocase = node.pattern, node.nocase
        if (  # CASEI('…') as the pattern: pygeofilter spells CASEI as lower
            isinstance(pattern_node, ast.Function)
            and pattern_node.name.lower() in ("lower", "casei")
            and len(pattern_node.arguments) == 1
            and isinstance(pattern_node.arguments[0], str)
        ):
            pattern_node, nocase = pattern_node.arguments[0].casefold(), True
        if not isinstance(pattern_node, str):
            raise FilterError("LIKE takes a quoted pattern.")
        if kind not in ("string", "any"):
            raise FilterError("LIKE applies to strings.")
        pattern = pattern_node.replace(_QUOTE, "'")
        regex = ""
        index = 0
        while index < len(pattern):
            char = pattern[index]
            if char == "\\" and index + 1 < len(pattern):
                regex += re.escape(pattern[index + 1])
                index += 2
                continue
            regex += ".*" if char == "%" else "." if char == "_" else re.escape(char)
            index += 1
        compiled = re.compile(regex, re.DOTALL | (re.IGNORECASE if nocase else 0))

        def test(f: Feature) -> bool | None:
            value = get(f)
            if not isinstance(value, str):
                return None
            return (compiled.fullmatch(value) is not None) != node.not_

        return test

    def within_list(self, node: Any) -> Condition:
        from pygeofilter import ast

        options = [self.comparison(ast.Equal(node.lhs, option)) for option in node.sub_nodes]

        def test(f: Feature) -> bool | None:
            found: bool | None = False
            for option in options:
                found = _or(found, option(f))
            return _not(found) if node.not_ else found

        return test

    def temporal(self, node: Any) -> Condition:
        (lk, lhs), (rk, rhs) = self.value(node.lhs), self.value(node.rhs)
        for kind in (lk, rk):
            if kind not in ("instant", "interval", "string"):
                raise FilterError("Temporal predicates take instants or intervals.")
        relation = _ALLEN.get(node.op.value)
        if relation is None:
            raise FilterError(f"Unsupported temporal predicate {node.op.value}.")
        left, right = _as_interval(lk, lhs), _as_interval(rk, rhs)

        def test(f: Feature) -> bool | None:
            a, b = left(f), right(f)
            if a is None or b is None:
                return None
            return relation(a, b)

        return test

    def spatial(self, node: Any, literal: BaseGeometry | None = None) -> Condition:
        (lk, lhs) = self.value(node.lhs)
        if literal is not None:
            rk, rhs = "geometry", (_constant(literal))
        else:
            rk, rhs = self.value(node.rhs)
        if lk != "geometry" or rk != "geometry":
            raise FilterError("Spatial predicates take geometries (the property 'geometry').")
        method = node.op.value.lower()  # intersects, within, contains…

        def test(f: Feature) -> bool | None:
            a, b = lhs(f), rhs(f)
            if a is None or b is None:
                return None
            return bool(getattr(a, method)(b))

        return test


def _and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _or(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def _not(a: bool | None) -> bool | None:
    return None if a is None else not a


def _constant(value: Any) -> Callable[[Feature], Any]:
    """The getter of a literal."""
    return lambda feature: value


def _family(kind: str) -> str:
    return {"string": "text"}.get(kind, kind)


def _coerced(kind: str, get: Callable[[Feature], Any], other: str) -> Callable[[Feature], Any]:
    """A string literal compared with an instant property is read as an instant."""
    if kind == "string" and other == "instant":
        probe = get({})
        moment = _instant(probe)
        return _constant(moment)
    return get


def _as_interval(
    kind: str, get: Callable[[Feature], Any]
) -> Callable[[Feature], tuple[float, float] | None]:
    """Instants and intervals as (start, end) seconds; open ends are ±inf."""
    if kind == "string":
        moment = _instant(get({})).timestamp()
        return _constant((moment, moment))

    def convert(f: Feature) -> tuple[float, float] | None:
        value = get(f)
        if value is None:
            return None
        if isinstance(value, tuple):
            start, end = value
            return (
                -math.inf if start is None else start.timestamp(),
                math.inf if end is None else end.timestamp(),
            )
        return value.timestamp(), value.timestamp()

    return convert


#: CQL2's temporal relations (Allen's), by pygeofilter's operator names.
_ALLEN: dict[str, Callable[[tuple[float, float], tuple[float, float]], bool]] = {
    "BEFORE": lambda a, b: a[1] < b[0],
    "AFTER": lambda a, b: a[0] > b[1],
    "MEETS": lambda a, b: a[1] == b[0],
    "METBY": lambda a, b: a[0] == b[1],
    "TOVERLAPS": lambda a, b: a[0] < b[0] < a[1] < b[1],
    "OVERLAPPEDBY": lambda a, b: b[0] < a[0] < b[1] < a[1],
    "BEGINS": lambda a, b: a[0] == b[0] and a[1] < b[1],
    "BEGUNBY": lambda a, b: a[0] == b[0] and a[1] > b[1],
    "DURING": lambda a, b: a[0] > b[0] and a[1] < b[1],
    "TCONTAINS": lambda a, b: a[0] < b[0] and a[1] > b[1],
    "ENDS": lambda a, b: a[0] > b[0] and a[1] == b[1],
    "ENDEDBY": lambda a, b: a[0] < b[0] and a[1] == b[1],
    "TEQUALS": lambda a, b: a == b,
}


def _property_instant(feature: Feature, name: str) -> datetime | None:
    value = (feature.get("properties") or {}).get(name)
    return None if value is None else _instant(value, name)


def _feature_geometry(feature: Feature) -> BaseGeometry | None:
    """The served geometry as shapely."""
    geometry = feature.get("geometry")
    return shape(geometry) if geometry else None


def compile_filter(text: str, lang: str | None = None) -> Predicate:
    """The predicate of a CQL2 filter over served features.

    Parameters
    ----------
    text : str
        The filter, in cql2-text or cql2-json; geometries in CRS84 (``lon lat``, degrees),
        their edges geodesics.
    lang : str or None
        The filter language, or None for cql2-text.

    Returns
    -------
    callable
        Takes a served GeoJSON Feature and is True where the filter is true (False where it
        is false or unknown).

    Raises
    ------
    FilterError
        For a filter that does not parse or names what is not queryable, compares values
        of different types, or holds an invalid geometry.

    Examples
    --------
    >>> test = compile_filter("kind = 'site' AND uncertainty_m < 100")
    >>> test({"properties": {"kind": "site", "uncertainty_m": 50}})
    True
    >>> test({"properties": {"kind": "site", "uncertainty_m": None}})
    False
    """
    encoding, tree = parse_filter(text, lang)
    condition = _Compiler(encoding).compile(tree)
    return lambda feature: condition(feature) is True


# ---------------------------------------------------------------------------- items


def property_predicate(name: str, raw: str) -> Predicate:
    """``name=raw`` as an equality test on a queryable (Part 1 property parameters).

    Parameters
    ----------
    name : str
        One of :data:`PROPERTY_PARAMETERS`.
    raw : str
        The query argument as text: a number for ``uncertainty_m``, an RFC 3339 instant for
        ``valid_from`` / ``valid_to``, one of :data:`KINDS` for ``kind``.

    Returns
    -------
    callable
        Takes a served GeoJSON Feature; True where its property equals the value.

    Raises
    ------
    FilterError
        Naming ``name``, for a value of the wrong type or an unknown kind.

    Examples
    --------
    >>> property_predicate("uncertainty_m", "50")({"properties": {"uncertainty_m": 50.0}})
    True
    """
    kind = QUERYABLES[name]
    if kind == "number":
        try:
            number = float(raw)
        except ValueError:
            raise FilterError(f"{name} must be a number.", field=name) from None
        return lambda f: (f.get("properties") or {}).get(name) == number
    if kind == "instant":
        try:
            moment = parse_instant(raw)
        except Exception:
            raise FilterError(f"{name} must be an RFC 3339 instant.", field=name) from None
        return lambda f: _property_instant(f, name) == moment
    if name == "kind" and raw not in KINDS:
        raise FilterError(f"kind must be one of {', '.join(KINDS)}.", field=name)
    return lambda f: (f.get("properties") or {}).get(name) == raw


_TITLES = {
    "id": "Feature id",
    "name": "Name",
    "kind": "Kind",
    "uncertainty_m": "Uncertainty (m)",
    "valid_from": "Valid from",
    "valid_to": "Valid until (null: no end)",
}
_GEOJSON_TYPES = {"point": "Point", "linestring": "LineString", "polygon": "Polygon"}


def queryables(url: str, title: str, kind: str, geometry_type: str) -> dict[str, Any]:
    """The queryables document (JSON Schema) of a collection of ``kind`` features.

    Parameters
    ----------
    url : str
        The document's own absolute URL (its ``$id``).
    title : str
        The collection's title.
    kind : str
        The kind of feature the collection holds (the one value ``kind`` may take).
    geometry_type : str
        ``point``, ``linestring`` or ``polygon``.

    Returns
    -------
    dict
        ``$schema``, ``$id``, ``type``, ``title``, ``description`` (:data:`SEMANTICS`),
        ``properties`` (each of :data:`QUERYABLES`, typed; ``geometry`` as the primary
        geometry) and ``additionalProperties`` (false).
    """
    types: dict[str, dict[str, Any]] = {
        "string": {"type": "string"},
        "number": {"type": "number"},
        "instant": {"type": "string", "format": "date-time"},
    }
    properties: dict[str, Any] = {}
    for name, type_ in QUERYABLES.items():
        if type_ == "geometry":
            shape_name = _GEOJSON_TYPES[geometry_type]
            properties[name] = {
                "$ref": f"https://geojson.org/schema/{shape_name}.json",
                "x-ogc-role": "primary-geometry",
            }
        elif name == "kind":
            properties[name] = {"type": "string", "enum": [kind], "title": _TITLES[name]}
        else:
            properties[name] = {**types[type_], "title": _TITLES[name]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url,
        "type": "object",
        "title": title,
        "description": SEMANTICS,
        "properties": properties,
        "additionalProperties": False,
    }


def item_predicates(args: Mapping[str, str]) -> list[Predicate]:
    """The tests an items request asks for beyond bbox and datetime: its property
    parameters and its ``filter`` (in ``filter-lang``, with ``filter-crs``).

    Parameters
    ----------
    args : Mapping of str to str
        The query arguments as text, as received.

    Returns
    -------
    list of callable
        One predicate per property parameter, then that of the filter, if any.

    Raises
    ------
    FilterError
        For a property parameter, ``filter``, ``filter-lang`` or ``filter-crs`` that is
        invalid (naming it).
    """
    tests = [property_predicate(name, args[name]) for name in PROPERTY_PARAMETERS if name in args]
    crs = args.get("filter-crs")
    if crs is not None and crs not in FILTER_CRS:
        raise FilterError(f"filter-crs must be {CRS84}.", field="filter-crs")
    if "filter" in args:
        tests.append(compile_filter(args["filter"], args.get("filter-lang")))
    elif "filter-lang" in args:
        parse_filter("INCLUDE", args["filter-lang"])  # validates the name alone
    return tests


def select(
    features: Iterable[dict[str, Any]], predicates: Iterable[Predicate]
) -> list[dict[str, Any]]:
    """The features every predicate accepts, in order.

    Parameters
    ----------
    features : iterable of dict
        Served GeoJSON Features.
    predicates : iterable of callable
        Tests, as :func:`item_predicates` returns them.

    Returns
    -------
    list of dict

    Examples
    --------
    >>> sites = [{"id": "a", "properties": {"kind": "site"}}, {"id": "b", "properties": {}}]
    >>> [f["id"] for f in select(sites, [property_predicate("kind", "site")])]
    ['a']
    """
    tests = list(predicates)
    return [f for f in features if all(test(f) for test in tests)]
