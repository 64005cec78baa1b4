"""CQL2 filters (OGC API – Features Part 3) evaluated over served features, each checked
against a brute-force expectation written in plain Python over the same features."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyproj import Geod

from service.answers.errors import FilterError
from service.answers.ogc import compile_filter, item_predicates, select

GEOD = Geod(ellps="WGS84")


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def feature(
    fid: str,
    lon: float,
    lat: float,
    name: str,
    uncertainty: float | None,
    valid_from: str | None,
    valid_to: str | None,
    kind: str = "site",
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": fid,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "id": fid,
            "name": name,
            "kind": kind,
            "uncertainty_m": uncertainty,
            "valid_from": valid_from,
            "valid_to": valid_to,
        },
    }


FEATURES = [
    feature("a", 38.20, 34.50, "Palmyra", 1500.0, "2017-05-01T00:00:00Z", None),
    feature("b", 38.62, 33.51, "al-Tanf garrison", 2000.0, "2017-05-01T00:00:00Z", None),
    feature("c", 38.65, 33.40, "al-Tanf crossing", 3000.0, "2017-06-01T00:00:00Z", None),
    feature("d", 40.94, 34.45, "Abu Kamal", 2000.0, "2017-01-01T00:00:00Z", "2017-06-01T00:00:00Z"),
    feature("e", 36.29, 33.51, "Damascus", None, None, None),
    feature("f", 39.00, 35.33, "O'Brien's well", 500.0, "2018-01-01T00:00:00Z", None, "zone"),
    feature(
        "g", -179.5, 0.0, "East of the line", 10.0, "2017-06-15T00:00:00Z", "2017-06-16T00:00:00Z"
    ),
]


def ids(text: str, lang: str | None = None) -> set[str]:
    return {f["id"] for f in select(FEATURES, [compile_filter(text, lang)])}


def expected(test: Callable[[dict[str, Any]], bool]) -> set[str]:
    return {
        f["id"]
        for f in FEATURES
        if test(f["properties"] | {"lonlat": f["geometry"]["coordinates"]})
    }


def _lt(a: Any, b: Any) -> bool:
    return a is not None and b is not None and a < b


def _known(p: dict[str, Any], name: str) -> bool:
    return p[name] is not None


TABLE: list[tuple[str, Callable[[dict[str, Any]], bool]]] = [
    ("name = 'Palmyra'", lambda p: p["name"] == "Palmyra"),
    # Double-quoted property names, as QGIS writes them.
    ('"uncertainty_m" >= 2000 AND "kind" = \'site\'', lambda p: (p["uncertainty_m"] or 0) >= 2000),
    ("valid_from >= DATE('2017-05-01')", lambda p: (p["valid_from"] or "") >= "2017-05-01"),
    ("name <> 'Palmyra'", lambda p: p["name"] != "Palmyra"),
    ("uncertainty_m < 2000", lambda p: _lt(p["uncertainty_m"], 2000)),
    (
        "uncertainty_m >= 2000",
        lambda p: p["uncertainty_m"] is not None and p["uncertainty_m"] >= 2000,
    ),
    ("uncertainty_m BETWEEN 1000 AND 2000", lambda p: p["uncertainty_m"] in (1500.0, 2000.0)),
    (
        "uncertainty_m NOT BETWEEN 1000 AND 2000",
        lambda p: p["uncertainty_m"] in (3000.0, 500.0, 10.0),
    ),
    ("uncertainty_m IS NULL", lambda p: p["uncertainty_m"] is None),
    ("valid_to IS NOT NULL", lambda p: p["valid_to"] is not None),
    ("name LIKE 'al-%'", lambda p: p["name"].startswith("al-")),
    ("name LIKE '%Tanf_c%'", lambda p: "Tanf c" in p["name"]),
    ("name NOT LIKE 'al-%'", lambda p: not p["name"].startswith("al-")),
    ("kind IN ('zone')", lambda p: p["kind"] == "zone"),
    ("id IN ('a', 'e', 'x')", lambda p: p["id"] in ("a", "e")),
    ("CASEI(name) = casei('PALMYRA')", lambda p: p["name"].lower() == "palmyra"),
    ("CASEI(name) LIKE casei('AL-TANF%')", lambda p: p["name"].lower().startswith("al-tanf")),
    ("name = 'O''Brien''s well'", lambda p: p["name"] == "O'Brien's well"),
    # What GDAL sends: a quoted instant compared with a date-time property.
    (
        "valid_from < '2017-05-15T00:00:00Z'",
        lambda p: _lt(_instant(p["valid_from"]), _instant("2017-05-15T00:00:00Z")),
    ),
    (
        "valid_from = TIMESTAMP('2017-05-01T00:00:00Z')",
        lambda p: p["valid_from"] == "2017-05-01T00:00:00Z",
    ),
    (
        "(uncertainty_m > 1000) AND (kind = 'site')",
        lambda p: _lt(1000, p["uncertainty_m"] or 0) and p["kind"] == "site",
    ),
    (
        "uncertainty_m < 600 OR name = 'Damascus'",
        lambda p: _lt(p["uncertainty_m"], 600) or p["name"] == "Damascus",
    ),
    # pygeofilter 0.4 refuses NOT over a parenthesised OR; geocheck's grammar fix takes it.
    (
        "NOT (name = 'Palmyra' OR name = 'Damascus')",
        lambda p: p["name"] not in ("Palmyra", "Damascus"),
    ),
    (
        "NOT ((uncertainty_m < 600) OR (uncertainty_m > 2500))",
        lambda p: _known(p, "uncertainty_m") and 600 <= p["uncertainty_m"] <= 2500,
    ),
    (
        "uncertainty_m * 2 > 3500",
        lambda p: p["uncertainty_m"] is not None and p["uncertainty_m"] * 2 > 3500,
    ),
    # Temporal (CQL2: an instant is [t, t]).
    (
        "T_BEFORE(valid_from, TIMESTAMP('2017-05-01T00:00:00Z'))",
        lambda p: p["valid_from"] == "2017-01-01T00:00:00Z",
    ),
    (
        "T_AFTER(valid_from, TIMESTAMP('2017-05-01T00:00:00Z'))",
        lambda p: (p["valid_from"] or "") > "2017-05-01T00:00:00Z",
    ),
    (
        "T_EQUALS(valid_from, TIMESTAMP('2017-05-01T00:00:00Z'))",
        lambda p: p["valid_from"] == "2017-05-01T00:00:00Z",
    ),
    (
        "T_DURING(valid_from, INTERVAL('2017-04-01T00:00:00Z', '2017-06-15T00:00:00Z'))",
        lambda p: p["valid_from"] in ("2017-05-01T00:00:00Z", "2017-06-01T00:00:00Z"),
    ),
    (
        "T_INTERSECTS(valid_to, INTERVAL('2017-06-01T00:00:00Z', '2017-06-15T00:00:00Z'))",
        lambda p: p["valid_to"] == "2017-06-01T00:00:00Z",
    ),
    (
        "T_DISJOINT(valid_from, INTERVAL('2017-04-01T00:00:00Z', '2017-12-31T00:00:00Z'))",
        lambda p: p["valid_from"] in ("2017-01-01T00:00:00Z", "2018-01-01T00:00:00Z"),
    ),
    (
        "NOT T_INTERSECTS(valid_from, INTERVAL('2017-04-01T00:00:00Z', '2017-12-31T00:00:00Z'))",
        lambda p: p["valid_from"] in ("2017-01-01T00:00:00Z", "2018-01-01T00:00:00Z"),
    ),
    # Spatial: a BBOX is a box of meridians and parallels.
    ("S_INTERSECTS(geometry, BBOX(38.5, 33.3, 39.0, 33.6))", lambda p: p["id"] in ("b", "c")),
    ("BBOX(geometry, 38.5, 33.3, 39.0, 33.6)", lambda p: p["id"] in ("b", "c")),
    ("S_INTERSECTS(geometry, BBOX(179, -1, -179, 1))", lambda p: p["id"] == "g"),
    ("S_WITHIN(geometry, POLYGON((38 34, 39 34, 39 35, 38 35, 38 34)))", lambda p: p["id"] == "a"),
    (
        "S_DISJOINT(geometry, POLYGON((38 34, 39 34, 39 35, 38 35, 38 34)))",
        lambda p: p["id"] != "a",
    ),
    ("S_INTERSECTS(geometry, POINT(38.2 34.5))", lambda p: p["id"] == "a"),
    ("S_EQUALS(geometry, POINT(38.2 34.5))", lambda p: p["id"] == "a"),
    (
        "S_INTERSECTS(geometry, BBOX(30, 30, 45, 40)) AND uncertainty_m >= 2000"
        " AND T_BEFORE(valid_from, TIMESTAMP('2017-05-02T00:00:00Z'))",
        lambda p: p["id"] in ("b", "d"),
    ),
]


@pytest.mark.parametrize(("text", "test"), TABLE, ids=[t for t, _ in TABLE])
def test_text_filters_select_what_brute_force_selects(
    text: str, test: Callable[[dict[str, Any]], bool]
) -> None:
    assert ids(text) == expected(test)
    assert ids(text, "cql-text") == expected(test)  # GDAL's name for it


JSON_TABLE: list[tuple[dict[str, Any], str]] = [
    ({"op": "=", "args": [{"property": "name"}, "Palmyra"]}, "name = 'Palmyra'"),
    ({"op": "<", "args": [{"property": "uncertainty_m"}, 2000]}, "uncertainty_m < 2000"),
    (
        {"op": "between", "args": [{"property": "uncertainty_m"}, 1000, 2000]},
        "uncertainty_m BETWEEN 1000 AND 2000",
    ),
    ({"op": "like", "args": [{"property": "name"}, "al-%"]}, "name LIKE 'al-%'"),
    ({"op": "in", "args": [{"property": "id"}, ["a", "e", "x"]]}, "id IN ('a', 'e', 'x')"),
    ({"op": "isNull", "args": [{"property": "uncertainty_m"}]}, "uncertainty_m IS NULL"),
    (
        {
            "op": "not",
            "args": [
                {
                    "op": "or",
                    "args": [
                        {"op": "=", "args": [{"property": "name"}, "Palmyra"]},
                        {"op": "=", "args": [{"property": "name"}, "Damascus"]},
                    ],
                }
            ],
        },
        "NOT (name = 'Palmyra' OR name = 'Damascus')",
    ),
    (
        {
            "op": "s_intersects",
            "args": [{"property": "geometry"}, {"bbox": [38.5, 33.3, 39.0, 33.6]}],
        },
        "S_INTERSECTS(geometry, BBOX(38.5, 33.3, 39.0, 33.6))",
    ),
    (
        {
            "op": "s_within",
            "args": [
                {"property": "geometry"},
                {
                    "type": "Polygon",
                    "coordinates": [[[38, 34], [39, 34], [39, 35], [38, 35], [38, 34]]],
                },
            ],
        },
        "S_WITHIN(geometry, POLYGON((38 34, 39 34, 39 35, 38 35, 38 34)))",
    ),
    (
        {
            "op": "t_intersects",
            "args": [
                {"property": "valid_to"},
                {"interval": ["2017-06-01T00:00:00Z", "2017-06-15T00:00:00Z"]},
            ],
        },
        "T_INTERSECTS(valid_to, INTERVAL('2017-06-01T00:00:00Z', '2017-06-15T00:00:00Z'))",
    ),
    (
        {
            "op": "t_disjoint",
            "args": [
                {"property": "valid_from"},
                {"interval": ["2017-04-01T00:00:00Z", "2017-12-31T00:00:00Z"]},
            ],
        },
        "T_DISJOINT(valid_from, INTERVAL('2017-04-01T00:00:00Z', '2017-12-31T00:00:00Z'))",
    ),
    (
        {
            "op": "t_before",
            "args": [{"property": "valid_from"}, {"timestamp": "2017-05-01T00:00:00Z"}],
        },
        "T_BEFORE(valid_from, TIMESTAMP('2017-05-01T00:00:00Z'))",
    ),
]


@pytest.mark.parametrize(("document", "text"), JSON_TABLE, ids=[t for _, t in JSON_TABLE])
def test_json_filters_mean_what_the_text_means(document: dict[str, Any], text: str) -> None:
    assert ids(json.dumps(document), "cql2-json") == ids(text) == expected(dict(TABLE)[text])


OPERATORS = {
    "=": "__eq__",
    "<>": "__ne__",
    "<": "__lt__",
    "<=": "__le__",
    ">": "__gt__",
    ">=": "__ge__",
}
comparisons = st.tuples(
    st.sampled_from(sorted(OPERATORS)),
    st.sampled_from([0.0, 10.0, 500.0, 1500.0, 2000.0, 2500.0, 3000.0, 9999.0]),
)


def _and3(a: bool | None, b: bool | None) -> bool | None:
    """SQL's AND over true, false and unknown (None)."""
    return False if False in (a, b) else None if None in (a, b) else True


def _or3(a: bool | None, b: bool | None) -> bool | None:
    return True if True in (a, b) else None if None in (a, b) else False


@st.composite
def conditions(
    draw: st.DrawFn, depth: int = 0
) -> tuple[str, dict[str, Any], Callable[[dict[str, Any]], bool]]:
    """A random boolean condition over uncertainty_m: text, JSON and a brute-force test."""
    if depth >= 3 or draw(st.booleans()):
        op, value = draw(comparisons)

        def leaf(p: dict[str, Any], op: str = op, value: float = value) -> bool | None:
            known = p["uncertainty_m"]
            return None if known is None else bool(getattr(known, OPERATORS[op])(value))

        return (
            f"uncertainty_m {op} {value}",
            {"op": op, "args": [{"property": "uncertainty_m"}, value]},
            leaf,
        )
    kind = draw(st.sampled_from(["AND", "OR", "NOT"]))
    left = draw(conditions(depth + 1))
    if kind == "NOT":
        negated = left[2]
        return (
            f"NOT ({left[0]})",
            {"op": "not", "args": [left[1]]},
            lambda p: None if negated(p) is None else not negated(p),
        )
    right = draw(conditions(depth + 1))
    if kind == "AND":
        test = lambda p: _and3(left[2](p), right[2](p))  # noqa: E731
    else:
        test = lambda p: _or3(left[2](p), right[2](p))  # noqa: E731
    return (
        f"({left[0]}) {kind} ({right[0]})",
        {"op": kind.lower(), "args": [left[1], right[1]]},
        test,
    )


@given(conditions())
def test_random_conditions_match_brute_force(
    condition: tuple[str, dict[str, Any], Callable[[dict[str, Any]], bool]],
) -> None:
    text, document, test = condition
    selected = expected(lambda p: test(p) is True)  # unknown does not select
    assert ids(text) == selected
    assert ids(json.dumps(document), "cql2-json") == selected


#: Degrees to the micro-degree (0.1 m): boxes as people and clients write them.
LONGITUDES = st.integers(-180_000_000, 180_000_000).map(lambda v: v / 1e6)
LATITUDES = st.integers(-90_000_000, 90_000_000).map(lambda v: v / 1e6)


@given(LONGITUDES, LONGITUDES, LATITUDES, LATITUDES)
def test_random_boxes_match_brute_force(west: float, east: float, a: float, b: float) -> None:
    south, north = min(a, b), max(a, b)

    def inside(p: dict[str, Any]) -> bool:
        lon, lat = p["lonlat"]
        in_lon = west <= lon <= east if west <= east else (lon >= west or lon <= east)
        return in_lon and south <= lat <= north

    text = f"S_INTERSECTS(geometry, BBOX({west!r}, {south!r}, {east!r}, {north!r}))"
    assert ids(text) == expected(inside)


def test_polygon_edges_are_geodesics() -> None:
    """A long east–west edge at 34°N: the geodesic between its ends bows north of the
    parallel. A point between the parallel and the geodesic is inside the filter's polygon
    below the edge (geodesic edges), though a straight lon/lat edge would leave it out."""
    west, east, lat = 30.0, 40.0, 34.0
    _, middle_lat = GEOD.npts(west, lat, east, lat, 1)[0]
    assert middle_lat - lat > 0.05  # about 6 km at this length: big enough to see
    between = feature("m", 35.0, lat + (middle_lat - lat) / 2, "m", 1.0, None, None)
    south_of_parallel = feature("s", 35.0, lat - 0.01, "s", 1.0, None, None)
    beyond = feature("n", 35.0, middle_lat + 0.01, "n", 1.0, None, None)
    polygon = f"POLYGON(({west} 30, {east} 30, {east} {lat}, {west} {lat}, {west} 30))"
    test = compile_filter(f"S_WITHIN(geometry, {polygon})")
    assert [test(f) for f in (between, south_of_parallel, beyond)] == [True, True, False]
    # The polygon above the line: the point between parallel and geodesic is not in it.
    above = f"POLYGON(({west} {lat}, {east} {lat}, {east} 36, {west} 36, {west} {lat}))"
    test = compile_filter(f"S_INTERSECTS(geometry, {above})")
    assert [test(f) for f in (between, south_of_parallel, beyond)] == [False, False, True]


@pytest.mark.parametrize(
    ("text", "lang", "field", "says"),
    [
        ("name = ", None, "filter", "does not parse as cql2-text"),
        ("colour = 'red'", None, "filter", "Unknown property 'colour'"),
        ("name = 'x'", "cql3", "filter-lang", "filter-lang must be one of"),
        ("{", "cql2-json", "filter", "not JSON"),
        ('{"op": "nonsense", "args": []}', "cql2-json", "filter", "does not parse as cql2-json"),
        ("name < 3", None, "filter", "Cannot compare"),
        ("S_INTERSECTS(name, POINT(1 2))", None, "filter", "take geometries"),
        ("S_INTERSECTS(geometry, POINT(200 2))", None, "filter", "out of range"),
        ("valid_from < 'soon'", None, "filter", "not an RFC 3339 instant"),
        ("T_BEFORE(valid_from)", None, "filter", "takes two arguments"),
        ("S_INTERSECTS(geometry, BBOX(1, 2, 3))", None, "filter", "BBOX takes four numbers"),
        ("   ", None, "filter", "empty"),
    ],
)
def test_bad_filters_name_the_parameter_and_the_error(
    text: str, lang: str | None, field: str, says: str
) -> None:
    with pytest.raises(FilterError) as caught:
        compile_filter(text, lang)
    assert caught.value.field == field and says in caught.value.detail
    assert caught.value.errors == {field: [caught.value.detail]}


def test_property_parameters_are_equalities() -> None:
    tests = item_predicates({"uncertainty_m": "2000", "kind": "site"})
    assert {f["id"] for f in select(FEATURES, tests)} == {"b", "d"}
    tests = item_predicates({"valid_from": "2017-05-01T00:00:00Z"})
    assert {f["id"] for f in select(FEATURES, tests)} == {"a", "b"}
    with pytest.raises(FilterError) as caught:
        item_predicates({"uncertainty_m": "lots"})
    assert caught.value.field == "uncertainty_m"
    with pytest.raises(FilterError) as caught:
        item_predicates({"filter": "name = 'x'", "filter-crs": "EPSG:3857"})
    assert caught.value.field == "filter-crs"


def test_instants_carry_time_zones() -> None:
    assert ids("valid_from = '2017-05-01T02:00:00+02:00'") == {"a", "b"}
    assert datetime(2017, 5, 1, tzinfo=UTC) == _instant("2017-05-01T00:00:00Z")
