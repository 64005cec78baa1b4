"""The shipped reference set loads, matches its sources, and bad files are reported by
file and feature id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geodata import DATA_DIR
from service.rules.reference import ReferenceDataError, ReferenceSet
from service.store.seed import GeodataError, load_reference_data
from tests.geodesy import oracle

REQUIRED = [
    "al-tanf-garrison", "al-tanf-crossing", "al-walid-crossing", "palmyra", "palmyra-ancient-site",
    "khunayfis-mines", "sharqiyah-mines", "damascus", "deir-ez-zor", "abu-kamal",
    "syria-jordan-iraq-tripoint", "palmyra-damascus-highway", "al-tanf-deconfliction-zone",
]  # fmt: skip


def test_shipped_set_is_complete_and_documented() -> None:
    reference = ReferenceSet(load_reference_data(), 1)
    for feature_id in REQUIRED:
        feature = reference.resolve(feature_id)
        assert feature.sources, feature_id
        assert feature.valid_from is not None, feature_id
        assert feature.name and feature.aliases, feature_id
    zone = reference.resolve("al-tanf-deconfliction-zone")
    assert zone.zone is not None and zone.zone.radius_m == 55_000.0
    assert zone.zone.severity == "critical" and zone.zone.authority
    assert reference.uncertainty_m(zone) == 2_000.0  # inherited from the garrison
    assert reference.resolve("syria").properties["layer"] == "context"


def test_values_match_the_research_notes() -> None:
    reference = ReferenceSet(load_reference_data(), 1)
    garrison = reference.resolve("a-Tanf").geometry
    assert garrison is not None and garrison["coordinates"] == [38.6178, 33.5058]
    # The crossing lies ~21.7 km ESE of the garrison (research notes).
    crossing = reference.resolve("al-tanf-crossing").geometry
    assert crossing is not None
    km = oracle.distance(*garrison["coordinates"], *crossing["coordinates"]) / 1000
    assert km == pytest.approx(21.7, abs=0.1)
    assert reference.resolve("khunayfis-mines").uncertainty_m == 15_000


def _write(folder: Path, name: str, features: list[dict]) -> None:
    (folder / name).write_text(json.dumps({"type": "FeatureCollection", "features": features}))


def test_bad_data_is_reported_by_file_and_id(tmp_path: Path) -> None:
    good = json.loads((DATA_DIR / "sites.geojson").read_text())["features"][0]
    bad = json.loads(json.dumps(good))
    bad["properties"]["id"] = "broken-site"
    bad["properties"]["uncertainty_m"] = -5
    bad["geometry"]["coordinates"] = [38.0, 133.0]
    _write(tmp_path, "mine.geojson", [good, bad])
    (tmp_path / "junk.geojson").write_text("{not json")
    with pytest.raises(GeodataError) as err:
        load_reference_data(tmp_path)
    text = "\n".join(err.value.problems)
    assert "mine.geojson: feature 'broken-site': properties.uncertainty_m" in text
    assert "mine.geojson: feature 'broken-site': geometry" in text
    assert "junk.geojson: cannot read as JSON" in text


def test_zone_naming_a_missing_site_is_reported(tmp_path: Path) -> None:
    zone = json.loads((DATA_DIR / "zones.geojson").read_text())["features"][0]
    _write(tmp_path, "zones.geojson", [zone])
    with pytest.raises(ReferenceDataError, match="al-tanf-deconfliction-zone"):
        ReferenceSet(load_reference_data(tmp_path), 1)
