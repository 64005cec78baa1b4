"""The geocheck command: every subcommand, exit codes, and the same answers locally and
from a running server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.cli import EXIT_BAD_INPUT, EXIT_INSIDE
from tests.e2e_server import service
from tests.helpers import WRITER, GeocheckRunner


def test_check_points_in_every_form(runner: GeocheckRunner) -> None:
    result = runner("check", "33.9, 38.2", "33°30'21\"N 38°37'04\"E", "37S DT 645 074")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:2] == ["point", "verdict"]
    assert "outside" in lines[1] and "inside" in lines[2] and "inside" in lines[3]


def test_exit_codes(runner: GeocheckRunner) -> None:
    assert runner("check", "--fail-inside", "33.5, 38.6").exit_code == EXIT_INSIDE
    assert runner("check", "--fail-inside", "34.5, 37.0").exit_code == 0
    bad = runner("check", "95, 38")
    assert bad.exit_code == EXIT_BAD_INPUT
    assert "swapped" in bad.output and len(bad.output.strip().splitlines()) == 1
    unknown = runner("distance", "34, 38", "palmira")
    assert unknown.exit_code == EXIT_BAD_INPUT and "palmyra" in unknown.output


def test_json_is_the_api_shape(runner: GeocheckRunner) -> None:
    result = runner("check", "--json", "33.9, 38.2")
    answer = json.loads(result.output)
    assert answer["results"][0]["zones"][0]["zone"] == "al-tanf-deconfliction-zone"
    assert answer["model"]["ellipsoid"] == "WGS84"


def test_distance_nearby_destination_features(runner: GeocheckRunner) -> None:
    distance = json.loads(
        runner("distance", "--json", "Palmyra", "palmyra-damascus-highway").output
    )
    assert distance["side"] in ("left", "right") and distance["distance_m"] < 2000
    table = runner("distance", "--units", "km", "34.2, 37.8", "Tadmur").output
    assert "distance (km)" in table and "58.7" in table
    near = runner("nearby", "34.2, 37.8", "--radius", "60km").output
    assert "khunayfis-mines" in near and "deir-ez-zor" not in near
    assert runner("nearby", "34, 38", "--radius", "far").exit_code == EXIT_BAD_INPUT
    dest = json.loads(
        runner("destination", "--json", "Palmyra", "--azimuth", "SW", "--distance", "60km").output
    )
    assert 34.17 < dest["lat"] < 34.18
    assert "palmyra" in runner("features").output
    assert "GeoNames" in runner("features", "Tadmur").output


def test_load_and_export_round_trip(runner: GeocheckRunner, tmp_path: Path) -> None:
    exported = tmp_path / "export.geojson"
    assert runner("export", "-o", str(exported)).exit_code == 0
    collection = json.loads(exported.read_text())
    for feature in collection["features"]:
        if feature["id"] == "palmyra":
            feature["properties"]["uncertainty_m"] = 750
    exported.write_text(json.dumps(collection))
    loaded = runner("load", str(exported))
    assert loaded.exit_code == 0, loaded.output
    assert "loaded 18 features" in loaded.output
    assert "750" in runner("features", "palmyra").output


def _events(path: Path) -> None:
    path.write_text(
        "id,when,latitude,longitude,notes\n"
        'a,2017-06-01,33.9,38.2,"far, east"\n'
        "b,2017-06-01,33.5,38.6,near the garrison\n"
        "c,2017-06-01,,38.6,no latitude\n"
        "d,2017-06-01,133.5,38.6,swapped\n"
        "e,2017-06-01,34.2,37.8,mines\n"
    )


def test_annotate_csv_keeps_columns_and_reports_bad_rows(
    runner: GeocheckRunner, tmp_path: Path
) -> None:
    source, target = tmp_path / "events.csv", tmp_path / "out.csv"
    _events(source)
    result = runner(
        "annotate",
        str(source),
        "-o",
        str(target),
        "--distance-to",
        "palmyra,palmyra-damascus-highway",
    )
    assert result.exit_code == 0, result.output
    assert "annotated 3 of 5 rows" in result.output and "line 4: latitude is empty" in result.output
    lines = target.read_text().splitlines()
    assert lines[0].startswith("id,when,latitude,longitude,notes,geocheck_verdict,")
    assert lines[1].startswith('a,2017-06-01,33.9,38.2,"far, east",outside,')
    assert lines[2].startswith("b,2017-06-01,33.5,38.6,near the garrison,inside,")
    assert lines[3].endswith(",latitude is empty")
    assert "swapped" in lines[4]
    strict = runner("annotate", str(source), "-o", str(target), "--strict")
    assert strict.exit_code == EXIT_BAD_INPUT and "line 4" in strict.output


def test_annotate_output_is_written_whole_or_not_at_all(
    runner: GeocheckRunner, tmp_path: Path
) -> None:
    source = tmp_path / "events.csv"
    _events(source)
    # Annotated in place: the input is read to the end before it is replaced.
    assert runner("annotate", str(source), "-o", str(source)).exit_code == 0
    lines = source.read_text().splitlines()
    assert len(lines) == 6 and lines[0].endswith(",geocheck_error")
    # A run that fails leaves an existing output as it was, and no partial file.
    target = tmp_path / "out.csv"
    target.write_text("keep me\n")
    failed = runner("annotate", str(source), "-o", str(target), "--distance-to", "x")
    assert failed.exit_code == EXIT_BAD_INPUT and target.read_text() == "keep me\n"
    assert not list(tmp_path.glob(".*.part"))
    nowhere = runner("annotate", str(source), "-o", str(tmp_path / "no" / "out.csv"))
    assert nowhere.exit_code == EXIT_BAD_INPUT
    assert nowhere.output.strip().endswith("No such file or directory")


def test_annotate_ndjson_and_geojson(runner: GeocheckRunner, tmp_path: Path) -> None:
    ndjson = tmp_path / "e.ndjson"
    ndjson.write_text('{"lat": 33.5, "lon": 38.6}\nnot json\n{"location": "33.9, 38.2"}\n')
    out = tmp_path / "o.ndjson"
    assert runner("annotate", str(ndjson), "-o", str(out)).exit_code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows[0]["geocheck_verdict"] == "inside" and rows[1]["input"] == "not json"
    geojson = tmp_path / "e.geojson"
    geojson.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [38.6, 33.5]},
                        "properties": {"n": 1},
                    }
                ],
            }
        )
    )
    out = tmp_path / "o.geojson"
    assert runner("annotate", str(geojson), "-o", str(out)).exit_code == 0
    props = json.loads(out.read_text())["features"][0]["properties"]
    assert props["n"] == 1 and props["geocheck_verdict"] == "inside"


@pytest.mark.e2e
def test_local_and_remote_give_identical_answers(runner: GeocheckRunner, tmp_path: Path) -> None:
    questions = [
        [
            "check",
            "--json",
            "--at",
            "2017-06-15",
            "33.9, 38.2",
            "33 30 21 N, 38 37 04 E",
            "34.2, 37.8",
        ],
        ["distance", "--json", "--at", "2017-06-15", "Palmyra", "palmyra-damascus-highway"],
        ["distance", "--json", "--at", "2017-06-15", "33.6, 38.9", "al-tanf-deconfliction-zone"],
        ["destination", "--json", "Palmyra", "--azimuth", "SW", "--distance", "60km"],
        ["features", "--json", "al-tanf-deconfliction-zone"],
    ]
    source = tmp_path / "events.csv"
    _events(source)
    # A server taking 3 points per request: annotate's chunks of 5 must be split for it.
    environment = {
        "GEOCHECK_DATABASE_URL": runner.database_url,
        "GEOCHECK_API_TOKENS": f"alice={WRITER}",
        "GEOCHECK_MAX_BATCH_POINTS": "3",
    }
    with service(environment) as server:
        for question in questions:
            local = runner(*question)
            remote = runner.remote(server.url, *question)
            assert local.exit_code == remote.exit_code == 0, (local.output, remote.output)
            assert json.loads(local.output) == json.loads(remote.output), question
        annotate = ["annotate", str(source), "--chunk-size", "5", "--distance-to", "palmyra"]
        local_csv, remote_csv = tmp_path / "local.csv", tmp_path / "remote.csv"
        assert runner(*annotate, "-o", str(local_csv)).exit_code == 0
        assert runner.remote(server.url, *annotate, "-o", str(remote_csv)).exit_code == 0
        outputs = [local_csv.read_text(), remote_csv.read_text()]
        assert outputs[0] == outputs[1] and outputs[0].count("\n") == 6


WORDS = st.sampled_from(
    [
        "palmyra",
        "Tadmur",
        "al-tanf-deconfliction-zone",
        "palmyra-damascus-highway",
        "syria",
        "nowhere",
        "33.9, 38.2",
        "91, 0",
        "33°30'N 38°36'E",
        "37S DT 645 074",
        "",
        "nan",
        "1e999",
        "60km",
        "-5km",
        "34mi",
        "SW",
        "400",
        "2017-06-15",
        "1999-99-99",
        "--json",
        "--units",
        "km",
        "--at",
        "--radius",
        "--kind",
        "zone",
        "--azimuth",
        "--distance",
        "--accuracy",
        "--fail-inside",
        "--zone",
    ]
)


@given(
    command=st.sampled_from(["check", "distance", "nearby", "destination", "features"]),
    words=st.lists(WORDS, max_size=6),
)
def test_any_arguments_end_in_an_answer_or_one_line(
    tmp_path_factory: pytest.TempPathFactory, command: str, words: list[str]
) -> None:
    """Whatever the arguments: exit 0-3 with an answer or a one-line error, never a
    traceback."""
    runner = GeocheckRunner(f"sqlite:///{tmp_path_factory.getbasetemp() / 'cli-fuzz.sqlite'}")
    result = runner(command, *words)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1, 2, 3)
    if result.exit_code:
        assert "Traceback" not in result.output
