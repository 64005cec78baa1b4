"""The GIS clients our users run, against the real server (``make run``): GDAL's OAPIF
driver (``ogrinfo``, ``ogr2ogr``, from Debian's gdal-bin) and QGIS's OAPIF provider
(Debian's python3-qgis, headless). Each skips, saying why, where the client is absent;
``.ci/run`` installs both.

What they must do: read every collection with the right feature count, geometry type, CRS
and fields, with nothing about the service in their error output; copy the collections to
a GeoPackage; and send attribute filters (GDAL's ``-where``) and boxes (QGIS) to the
server, which the server's access log shows.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, unquote

import pytest
import requests

from tests.e2e_server import ServiceProcess, service

pytestmark = pytest.mark.e2e

COLLECTIONS = ["sites", "routes", "zones", "borders"]
GEOMETRY = {"sites": "Point", "routes": "Line String", "zones": "Polygon", "borders": "Polygon"}
PROBE = Path(__file__).with_name("qgis_probe.py")
SYSTEM_PYTHON = "/usr/bin/python3"


def _gdal_missing() -> str | None:
    if shutil.which("ogrinfo") is None or shutil.which("ogr2ogr") is None:
        return "GDAL's ogrinfo/ogr2ogr are not installed (Debian: apt-get install gdal-bin)"
    formats = subprocess.run(["ogrinfo", "--formats"], capture_output=True, text=True).stdout
    if "OAPIF" not in formats:
        return "this GDAL has no OAPIF (OGC API – Features) driver"
    return None


def _qgis_missing() -> str | None:
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} is absent (QGIS's Python bindings are for the system Python)"
    found = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True, text=True
    )
    if found.returncode != 0:
        return "QGIS's Python bindings are not installed (Debian: apt-get install python3-qgis)"
    return None


GDAL_MISSING = _gdal_missing()
QGIS_MISSING = _qgis_missing()
needs_gdal = pytest.mark.skipif(GDAL_MISSING is not None, reason=GDAL_MISSING or "")
needs_qgis = pytest.mark.skipif(QGIS_MISSING is not None, reason=QGIS_MISSING or "")


@pytest.fixture(scope="module")
def server() -> Iterator[ServiceProcess]:
    if GDAL_MISSING and QGIS_MISSING:
        pytest.skip(f"{GDAL_MISSING}; {QGIS_MISSING}")
    with tempfile.TemporaryDirectory(prefix="geocheck-gis-") as folder:
        database = {"GEOCHECK_DATABASE_URL": f"sqlite:///{folder}/gis.sqlite"}
        with service(database, workers=1) as running:
            yield running


def _items(server: ServiceProcess, collection: str, **params: str) -> list[dict[str, object]]:
    answer = requests.get(
        f"{server.url}/ogc/collections/{collection}/items",
        params={"limit": "1000", **params},
        timeout=30,
    )
    answer.raise_for_status()
    return list(answer.json()["features"])


def _requests_since(
    server: ServiceProcess, mark: int, agent: str = ""
) -> list[dict[str, list[str]]]:
    """The query parameters of each items request in the server's JSON access log after
    ``mark`` (made by a user agent containing ``agent``)."""
    found = []
    for line in server.output()[mark:].splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue  # the server's own start-up lines
        path = record.get("path") if isinstance(record, dict) else None
        if not (path and re.fullmatch(r"/ogc/collections/[^/]+/items", path)):
            continue
        if record.get("query") and agent in (record.get("agent") or ""):
            found.append(parse_qs(record["query"]))
    return found


def _run(command: list[str], cwd: str | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "CPL_DEBUG": "OFF", "GDAL_HTTP_TIMEOUT": "30"}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=300, env=environment, cwd=cwd
    )


#: GDAL's warnings about its output format, not about the service: a GeoPackage has no
#: list type, so the aliases (a list of strings) are stored as JSON text.
NOT_ABOUT_THE_SERVICE = re.compile(r"Warning 1: The output driver does not natively support")


def _clean(stderr: str) -> None:
    """Nothing in GDAL's error output: no ERROR, no warning about the service."""
    bad = [
        line
        for line in stderr.splitlines()
        if re.match(r"(ERROR|Warning)\b", line) and not NOT_ABOUT_THE_SERVICE.match(line)
    ]
    assert not bad, "\n".join(bad)


def _features_read(stdout: str) -> int:
    return len(re.findall(r"^OGRFeature\(", stdout, re.MULTILINE))


@needs_gdal
def test_ogrinfo_opens_the_service(server: ServiceProcess) -> None:
    listing = _run(["ogrinfo", "-ro", "-so", f"OAPIF:{server.url}/ogc"])
    assert listing.returncode == 0, listing.stderr
    _clean(listing.stderr)
    layers = re.findall(r"^\d+: (\w+) \(title: .*\) \(([^)]+)\)$", listing.stdout, re.MULTILINE)
    assert layers == [(c, GEOMETRY[c]) for c in COLLECTIONS]


@needs_gdal
@pytest.mark.parametrize("collection", COLLECTIONS)
def test_ogrinfo_reads_every_collection(server: ServiceProcess, collection: str) -> None:
    expected = _items(server, collection)
    summary = _run(["ogrinfo", "-ro", "-so", f"OAPIF:{server.url}/ogc", collection])
    assert summary.returncode == 0, summary.stderr
    _clean(summary.stderr)
    assert f"Feature Count: {len(expected)}" in summary.stdout
    assert f"Geometry: {GEOMETRY[collection]}" in summary.stdout
    assert 'ID["EPSG",4326]' in summary.stdout
    for name in ("id", "name", "kind", "uncertainty_m", "valid_from", "valid_to"):
        assert re.search(rf"^{name}: ", summary.stdout, re.MULTILINE), name
    # Every feature read, page by page (GDAL asks for 10 at a time and follows "next").
    everything = _run(["ogrinfo", "-ro", "-al", "-q", f"OAPIF:{server.url}/ogc", collection])
    assert everything.returncode == 0, everything.stderr
    _clean(everything.stderr)
    assert _features_read(everything.stdout) == len(expected)


@needs_gdal
def test_ogr2ogr_copies_every_collection_to_a_geopackage(server: ServiceProcess) -> None:
    with tempfile.TemporaryDirectory(prefix="geocheck-gpkg-") as folder:
        copy = _run(["ogr2ogr", "-f", "GPKG", "copy.gpkg", f"OAPIF:{server.url}/ogc"], folder)
        assert copy.returncode == 0, copy.stderr
        _clean(copy.stderr)
        for collection in COLLECTIONS:
            summary = _run(["ogrinfo", "-ro", "-so", "copy.gpkg", collection], folder)
            assert summary.returncode == 0, summary.stderr
            count = len(_items(server, collection))
            assert f"Feature Count: {count}" in summary.stdout, collection


@needs_gdal
@pytest.mark.parametrize(
    ("where", "page_size"),
    [
        ("uncertainty_m >= 1000", "10"),
        ("uncertainty_m >= 1000", "2"),  # five pages: the next links must keep the filter
        ("name = 'Palmyra (modern town)' OR kind = 'zone'", "10"),
        ("NOT (uncertainty_m < 1000 OR uncertainty_m > 2000)", "10"),
    ],
)
def test_gdal_sends_where_to_the_server(server: ServiceProcess, where: str, page_size: str) -> None:
    everything = _items(server, "sites")
    # (Asked as cql2-text, to tell these requests from GDAL's in the log.)
    expected = _items(server, "sites", filter=where, **{"filter-lang": "cql2-text"})
    assert 0 < len(expected) < len(everything)
    mark = len(server.output())
    command = ["ogrinfo", "-ro", "-al", "-q", "-oo", f"PAGE_SIZE={page_size}", "-where", where]
    run = _run([*command, f"OAPIF:{server.url}/ogc", "sites"])
    assert run.returncode == 0, run.stderr
    _clean(run.stderr)
    assert _features_read(run.stdout) == len(expected)
    # GDAL names the language cql-text (CQL2's draft name); the server reads it as cql2-text.
    asked = [q for q in _requests_since(server, mark) if q.get("filter-lang") == ["cql-text"]]
    assert asked, "GDAL evaluated the filter itself"
    assert len(asked) >= -(-len(expected) // int(page_size))
    # Every page asked for carried the filter, none returned more than the filtered set.
    pages = [q for q in _requests_since(server, mark) if "offset" in q]
    assert all("filter" in q for q in pages)
    sent = unquote(asked[0]["filter"][0])
    assert "uncertainty_m" in sent or "name" in sent


@pytest.fixture(scope="module")
def qgis_report(server: ServiceProcess) -> dict[str, object]:
    if QGIS_MISSING:
        pytest.skip(QGIS_MISSING)
    run = subprocess.run(
        [SYSTEM_PYTHON, str(PROBE), f"{server.url}/ogc", *COLLECTIONS],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return dict(json.loads(run.stdout.strip().splitlines()[-1]))


@needs_qgis
@pytest.mark.parametrize("collection", COLLECTIONS)
def test_qgis_loads_every_collection(
    server: ServiceProcess, qgis_report: dict[str, object], collection: str
) -> None:
    layers = qgis_report["layers"]
    assert isinstance(layers, dict)
    layer = layers[collection]
    assert layer["valid"], qgis_report["messages"]
    expected = _items(server, collection)
    assert layer["count"] == layer["read"] == len(expected)
    assert layer["geometry"] == GEOMETRY[collection].replace(" ", "")
    assert layer["crs"] in ("EPSG:4326", "OGC:CRS84")
    assert {"id", "name", "kind", "uncertainty_m", "valid_from", "valid_to"} <= set(layer["fields"])
    # The box QGIS asked the server for (qgis_probe.BOX), as the server answers it.
    in_box = _items(server, collection, bbox="38.5,33.3,39.0,33.6")
    assert layer["in_box"] == sorted(str(f["id"]) for f in in_box)


@needs_qgis
def test_qgis_logs_nothing_about_the_service(qgis_report: dict[str, object]) -> None:
    messages = qgis_report["messages"]
    assert isinstance(messages, list)
    assert [m for m in messages if m["tag"] in ("OAPIF", "WFS")] == []


@needs_qgis
def test_qgis_asks_the_server_for_the_box(
    server: ServiceProcess, qgis_report: dict[str, object]
) -> None:
    boxes = [q["bbox"][0] for q in _requests_since(server, 0, "QGIS") if "bbox" in q]
    assert len(boxes) >= len(COLLECTIONS), "QGIS did not send bbox= to the server"
    west, south, east, north = (float(v) for v in boxes[-1].split(","))
    assert (west, south, east, north) == pytest.approx((38.5, 33.3, 39.0, 33.6), abs=1e-6)
