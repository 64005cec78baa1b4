"""Reading the store cheaply: a seeded SQLite store is opened and read without SQLAlchemy
or marshmallow, on a plain-driver path that gives what SQLAlchemy gives, and trusted rows
equal validated ones."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import and_, func, select
from sqlalchemy.engine import make_url

from service.store.reading import feature_from_stored, sqlite_file
from service.store.seed import feature_from_document, load_reference_documents
from service.store.sql import Change, SqlStore
from service.store.tables import feature_versions

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    opened = SqlStore(database_url)
    yield opened
    opened.close()


def test_opening_and_reading_a_seeded_sqlite_store_imports_no_sqlalchemy(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cold.sqlite'}"
    SqlStore(url).close()  # created, migrated and seeded here
    script = (
        "import sys; from service.store.sql import SqlStore;"
        f"store = SqlStore({url!r}); reference = store.snapshot(); store.data_version();"
        "store.close(); assert len(reference) == 18;"
        "print(sorted({m.split('.')[0] for m in sys.modules}"
        " & {'sqlalchemy', 'alembic', 'marshmallow', 'flask', 'schemas'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def _previous_rows_at(conn: Any, data_version: int) -> list[tuple[str, int, bool, str]]:
    """The SQLAlchemy Core query the store used before ROWS_AT (the reference)."""
    latest = (
        select(feature_versions.c.feature_id, func.max(feature_versions.c.data_version).label("dv"))
        .where(feature_versions.c.data_version <= data_version)
        .group_by(feature_versions.c.feature_id)
        .subquery()
    )
    query = select(feature_versions).join(
        latest,
        and_(
            feature_versions.c.feature_id == latest.c.feature_id,
            feature_versions.c.data_version == latest.c.dv,
        ),
    )
    return [(r.feature_id, r.version, bool(r.retired), r.body) for r in conn.execute(query)]


def test_driver_reads_give_what_sqlalchemy_gives(store: SqlStore) -> None:
    palmyra = copy.deepcopy(next(d for d in load_reference_documents() if d["id"] == "palmyra"))
    palmyra["properties"]["uncertainty_m"] = 750
    store.write([Change("palmyra", palmyra)], "alice", "correct")
    store.write([Change("damascus", None)], "alice", "retire")
    assert store._reader is not None and store.data_version() == 3
    with store.engine.connect() as conn:
        for version in (1, 2, 3):
            expected = sorted(_previous_rows_at(conn, version))
            assert sorted(store._reader.rows_at(version)) == expected
            assert sorted(store._rows_at(conn, version)) == expected
    assert store.snapshot().resolve("palmyra").uncertainty_m == 750
    assert "damascus" not in store.snapshot() and "damascus" in store.snapshot_at(2)


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///relative.sqlite",
        "sqlite:////absolute/path/geocheck.sqlite",
        "sqlite+pysqlite:///instance/geocheck.sqlite",
        "sqlite:///with space/and-é.sqlite",
    ],
)
def test_sqlite_file_is_the_file_sqlalchemy_opens(url: str) -> None:
    assert sqlite_file(url) == make_url(url).database


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:///file.sqlite?mode=ro",
        "sqlite:///escaped%20name.sqlite",
        "postgresql://user:pw@host/db",
        "sqlite+aiosqlite:///file.sqlite",
    ],
)
def test_other_urls_are_left_to_sqlalchemy(url: str) -> None:
    assert sqlite_file(url) is None


# -- trusted rows ----------------------------------------------------------------------


def _same(document: dict[str, Any]) -> None:
    """The trusted build equals the validated one, to the types (repr: 1 is not 1.0)."""
    assert repr(feature_from_stored(document, 4)) == repr(feature_from_document(document, 4))


@pytest.mark.parametrize("index", range(18))
def test_trusted_rows_equal_validated_ones_for_the_shipped_set(index: int) -> None:
    _same(load_reference_documents()[index])


def _minimal_site() -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [38, 34]},
        "properties": {"id": "s", "name": "S", "kind": "site"},
    }


def test_trusted_rows_fill_the_schemas_defaults_and_types() -> None:
    _same(_minimal_site())
    full = _minimal_site()
    full["geometry"] = {"type": "Point", "coordinates": [38, 34, 410], "bbox": [38, 34, 38, 34]}
    full["properties"].update(
        uncertainty_m=5,
        aliases=["Ess"],
        sources=[{"title": "t"}, {"title": "u", "url": "https://example.org", "quote": "q"}],
        valid_from="2017-05-01",
        valid_to="2017-06-01T12:00:00+03:00",
        notes="n",
        properties={"b": 1, "a": [2]},
    )
    _same(full)
    route = {
        "type": "Feature",
        "geometry": {"type": "MultiLineString", "coordinates": [[[38, 34], [38.5, 34.5, 1]]]},
        "properties": {"id": "r", "name": "R", "kind": "route"},
    }
    _same(route)
    polygon_zone = {
        "type": "Feature",
        "geometry": {
            "type": "MultiPolygon",
            "coordinates": [[[[38, 34], [39, 34], [39, 35], [38, 34]]]],
        },
        "properties": {
            "id": "p",
            "name": "P",
            "kind": "zone",
            "zone": {"shape": "polygon", "severity": "critical"},
            "valid_from": "2017-05-01T00:00:00Z",
        },
    }
    _same(polygon_zone)
    for centre in ({"lat": 33, "lon": 38}, "s"):
        circle = {
            "type": "Feature",
            "geometry": None,
            "properties": {
                "id": "c",
                "name": "C",
                "kind": "zone",
                "zone": {"shape": "circle", "centre": centre, "radius_m": 55000},
            },
        }
        _same(circle)
    corridor = json.loads(json.dumps(circle))
    corridor["properties"]["zone"] = {
        "shape": "corridor",
        "route": "r",
        "half_width_m": 500,
        "message": "m",
        "authority": "a",
        "announced_on": "2017",
    }
    _same(corridor)


ZONES = [UTC, timezone(timedelta(hours=3)), timezone(timedelta(hours=-11, minutes=-30))]
INSTANTS = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes(timezones=st.sampled_from(ZONES)).map(
        lambda t: t.isoformat().replace("+00:00", "Z")
    ),
)


@given(instant=INSTANTS)
def test_trusted_instants_equal_validated_ones(instant: str) -> None:
    document = _minimal_site()
    document["properties"]["valid_from"] = instant
    try:
        expected = feature_from_document(document, 1)
    except Exception:  # not a valid document (the year leaves 1–9999 in UTC): never stored
        return
    assert repr(feature_from_stored(document, 1)) == repr(expected)
