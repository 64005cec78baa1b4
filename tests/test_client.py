"""The Python API, offline and remote, and the README's examples (executed here)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from service.client import GeocheckError, LocalGeocheck

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture
def local(tmp_path: Path) -> LocalGeocheck:
    client = LocalGeocheck(f"sqlite:///{tmp_path / 'client.sqlite'}")
    yield client  # type: ignore[misc]
    client.close()


def test_columns_offline_match_the_object_form(local: LocalGeocheck) -> None:
    rng = np.random.default_rng(1)
    lat, lon = rng.uniform(33, 34.2, 50), rng.uniform(38, 39.3, 50)
    columns = local.check_columns(lat, lon)
    rows = local.check(
        [{"lat": a, "lon": b} for a, b in zip(lat.tolist(), lon.tolist(), strict=True)]
    )
    assert list(columns["results"]["verdict"]) == [r["verdict"] for r in rows["results"]]
    distances = local.distance_columns(lat, lon, "palmyra-damascus-highway")
    one = local.distance({"lat": float(lat[0]), "lon": float(lon[0])}, "palmyra-damascus-highway")
    assert distances["results"]["distance_m"][0] == pytest.approx(one["distance_m"], abs=1e-9)


def test_errors_carry_the_problem(local: LocalGeocheck) -> None:
    with pytest.raises(GeocheckError) as err:
        local.feature("palmira")
    assert err.value.status == 404 and "palmyra" in err.value.problem["suggestions"]


def test_a_zone_not_in_force_is_refused_as_the_server_refuses_it(local: LocalGeocheck) -> None:
    with pytest.raises(GeocheckError) as err:
        local.distance_columns([33.9], [38.2], "al-tanf-deconfliction-zone", at="2017-05-01")
    assert err.value.status == 422
    with pytest.raises(GeocheckError) as err:
        local.distance({"lat": 33.9, "lon": 38.2}, "al-tanf-deconfliction-zone", at="2017-05-01")
    assert err.value.status == 422  # the same through the HTTP route


def test_readme_python_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEOCHECK_DATABASE_URL", f"sqlite:///{tmp_path / 'readme.sqlite'}")
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "the README has no Python examples"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})  # our own documentation


def test_a_snapshot_keeps_answering_from_its_version(local: LocalGeocheck) -> None:
    snapshot = local.snapshot()
    before = snapshot.check_columns([33.9], [38.2])["results"]["zones"]
    exported = local.export()
    zone = next(f for f in exported["features"] if f["properties"]["kind"] == "zone")
    zone["properties"]["zone"]["radius_m"] = 1000.0
    local.load({"type": "FeatureCollection", "features": [zone]})
    now = local.check_columns([33.9], [38.2])
    assert now["data_version"] == snapshot.data_version + 1
    after = snapshot.check_columns([33.9], [38.2])["results"]["zones"]
    distance = after["al-tanf-deconfliction-zone"]["distance_to_boundary_m"][0]
    assert distance == before["al-tanf-deconfliction-zone"]["distance_to_boundary_m"][0]
    changed = now["results"]["zones"]["al-tanf-deconfliction-zone"]["distance_to_boundary_m"][0]
    assert changed == pytest.approx(distance + 55_000 - 1000, abs=1e-6)


@pytest.mark.parametrize(("zone", "status"), [("palmyra", 422), ("palmira-zone", 404)])
def test_bad_zone_names_are_refused_as_the_server_refuses_them(
    local: LocalGeocheck, zone: str, status: int
) -> None:
    with pytest.raises(GeocheckError) as direct:
        local.check_columns([33.9], [38.2], zones=[zone])
    with pytest.raises(GeocheckError) as served:
        local.check([{"lat": 33.9, "lon": 38.2}], zones=[zone])  # through the HTTP route
    assert direct.value.status == served.value.status == status
    assert direct.value.problem == served.value.problem


@pytest.mark.parametrize(
    ("to", "at", "status"),
    [
        ("palmira", None, 404),  # unknown, with suggestions
        ("al-tanf-deconfliction-zone", "2017-05-01", 422),  # not in force yet
        ({"lat": 95, "lon": 38}, None, 422),  # no point
    ],
)
def test_distance_refusals_are_the_servers(
    local: LocalGeocheck, to: object, at: str | None, status: int
) -> None:
    with pytest.raises(GeocheckError) as direct:
        local.distance_columns([33.9], [38.2], to, at=at)
    with pytest.raises(GeocheckError) as served:
        local.distance({"lat": 33.9, "lon": 38.2}, to, at=at)  # through the HTTP route
    assert direct.value.status == served.value.status == status
    assert direct.value.problem == served.value.problem
