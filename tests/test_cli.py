"""The geocheck command: every subcommand, exit codes, and the same answers locally and
from a running server."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from service.cli import EXIT_BAD_INPUT, EXIT_INSIDE, granian_arguments, main
from service.config import Config
from tests.e2e_server import REPO, service
from tests.helpers import WRITER, GeocheckRunner


@pytest.fixture
def database(runner: GeocheckRunner) -> str:
    """The URL of the test's own database (the one ``runner`` uses)."""
    return runner.database_url


def run(database: str, *args: str) -> Result:
    """The command on ``database``, as ``runner`` runs it."""
    return GeocheckRunner(database)(*args)


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

        # The group's options after the command, or in the middle, mean the same; a typed
        # --server wins over GEOCHECK_SERVER wherever it is typed.
        unreachable = {"GEOCHECK_SERVER": "http://127.0.0.1:9"}
        for question in questions:
            before = CliRunner().invoke(main, ["--server", server.url, *question])
            after = CliRunner(env=unreachable).invoke(main, [*question, "--server", server.url])
            between = [question[0], "--server", server.url, *question[1:]]
            middle = CliRunner().invoke(main, between)
            assert before.exit_code == 0 and before.output == after.output == middle.output
        exported = tmp_path / "reference.geojson"
        assert runner("export", "-o", str(exported)).exit_code == 0
        load = ["load", str(exported)]
        for token in ("not-the-token", WRITER):  # refused both ways alike, then accepted
            before = CliRunner().invoke(main, ["--server", server.url, "--token", token, *load])
            after = CliRunner().invoke(main, [*load, "--token", token, "--server", server.url])
            assert before.exit_code == after.exit_code == (0 if token == WRITER else 1)
            if token != WRITER:
                assert before.output == after.output and "token" in before.output.lower()
            else:
                assert "loaded 18 features" in before.output and "loaded 18" in after.output


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
        "--token",
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


def test_choices_spelled_out_here_agree_with_their_sources() -> None:
    from schemas.units import UNITS
    from service.annotate import FORMATS
    from service.cli import ANNOTATE_FORMATS, UNIT_NAMES

    assert tuple(sorted(UNITS)) == UNIT_NAMES
    assert FORMATS == ANNOTATE_FORMATS


HEAVY = {"numpy", "marshmallow", "sqlalchemy", "alembic", "flask", "werkzeug", "requests"}


def _imported_by(script: str) -> set[str]:
    """The top-level packages among HEAVY that ``script`` leaves imported, run in a fresh
    interpreter."""
    probe = f"{script}\nimport sys\nprint(' '.join({{m.split('.')[0] for m in sys.modules}}))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    return set(done.stdout.split()) & HEAVY


def test_the_command_itself_imports_only_click() -> None:
    assert _imported_by("import service.cli") == set()


def test_a_local_answer_imports_no_web_framework_migrations_orm_or_http(database: str) -> None:
    run(database, "features")  # created, migrated and seeded here, outside the probe
    imported = _imported_by(
        "from service.cli import main\n"
        f"main(['--database', {database!r}, 'distance', 'Palmyra', 'palmyra-damascus-highway',"
        " '--json'], standalone_mode=False)"
    )
    assert imported <= {"numpy", "marshmallow"}


def test_blas_threads_are_limited_by_serve_and_annotate_only(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import service
    import service.api.serving
    import service.config
    from service.cli import serving_app

    calls: list[str] = []
    monkeypatch.setattr(service.config, "limit_blas_threads", lambda: calls.append("limit"))
    # Not this process's logging and metrics folder.
    monkeypatch.setattr(service.api.serving, "prepare_worker", lambda: None)
    monkeypatch.setattr(service, "create_app", lambda: calls.append("app"))
    serving_app()  # what each granian worker of `geocheck serve` runs
    assert calls == ["limit", "app"]
    source = tmp_path / "events.csv"
    _events(source)
    assert run(database, "annotate", str(source), "-o", str(tmp_path / "out.csv")).exit_code == 0
    assert calls == ["limit", "app", "limit"]
    assert run(database, "distance", "Palmyra", "Tadmur").exit_code == 0
    assert calls == ["limit", "app", "limit"]


# -- the group's options, before or after the command -----------------------------------

#: The group's own options (not --version): each must work after any command too.
GLOBAL = [p for p in main.params if isinstance(p, click.Option) and not p.is_eager]

#: Questions whose local output is the same from one run to the next (--at pinned).
QUESTIONS = [
    ["check", "--json", "--at", "2017-06-15", "33.9, 38.2", "33.5, 38.6"],
    ["distance", "--at", "2017-06-15", "Palmyra", "palmyra-damascus-highway", "--json"],
    ["distance", "--units", "km", "34.2, 37.8", "Tadmur"],
    ["nearby", "34.2, 37.8", "--radius", "60km"],
    ["destination", "Palmyra", "--azimuth", "SW", "--distance", "60km"],
    ["features", "Tadmur"],
    ["export"],
]


def test_the_group_has_the_global_options() -> None:
    assert sorted(p.opts[0] for p in GLOBAL) == ["--database", "--server", "--token"]


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_takes_the_global_options_and_says_so(name: str) -> None:
    command = main.commands[name]
    assert {p.opts[0] for p in GLOBAL} <= {o for p in command.params for o in p.opts}
    shown = CliRunner().invoke(main, [name, "--help"]).output
    for option in GLOBAL:
        assert option.opts[0] in shown and str(option.envvar) in shown
    assert "may also follow the command" in CliRunner().invoke(main, ["--help"]).output


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: " ".join(q[:2]))
def test_database_before_after_or_inside_the_command_gives_the_same_output(
    database: str, question: list[str]
) -> None:
    before = CliRunner().invoke(main, ["--database", database, *question])
    after = CliRunner().invoke(main, [*question, "--database", database])
    middle = CliRunner().invoke(main, [question[0], "--database", database, *question[1:]])
    assert before.exit_code == 0, before.output
    assert before.output == after.output == middle.output


def _corrected_copy(database: str, tmp_path: Path) -> str:
    """Another store whose Palmyra has an uncertainty of 750 m."""
    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    exported = tmp_path / "corrected.geojson"
    assert run(database, "export", "-o", str(exported)).exit_code == 0
    collection = json.loads(exported.read_text())
    for feature in collection["features"]:
        if feature["id"] == "palmyra":
            feature["properties"]["uncertainty_m"] = 750
    exported.write_text(json.dumps(collection))
    assert run(other, "load", str(exported)).exit_code == 0
    return other


def test_typed_options_win_over_the_environment_wherever_typed(
    database: str, tmp_path: Path
) -> None:
    other = _corrected_copy(database, tmp_path)
    runner = CliRunner(env={"GEOCHECK_DATABASE_URL": database})
    from_environment = runner.invoke(main, ["features", "palmyra"])
    before = runner.invoke(main, ["--database", other, "features", "palmyra"])
    after = runner.invoke(main, ["features", "palmyra", "--database", other])
    assert from_environment.exit_code == before.exit_code == 0
    assert "750" not in from_environment.output and "750" in before.output
    assert before.output == after.output


def test_an_option_given_twice_must_agree(database: str, tmp_path: Path) -> None:
    again = run(database, "features", "palmyra", "--database", database)
    assert again.exit_code == 0 and "palmyra" in again.output
    other = _corrected_copy(database, tmp_path)
    twice = run(database, "features", "palmyra", "--database", other)
    assert twice.exit_code == EXIT_BAD_INPUT
    assert "--database was given twice with different values" in twice.output
    assert database in twice.output and other in twice.output
    secret = CliRunner().invoke(
        main, ["--token", "secret-one", "features", "--token", "secret-two", "--server", "x"]
    )
    assert secret.exit_code == EXIT_BAD_INPUT and "--token was given twice" in secret.output
    assert "secret-" not in secret.output  # tokens are never repeated back


def test_serve_takes_the_database_before_or_after_and_refuses_a_server(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[tuple[list[str], dict[str, str]]] = []

    def execve(path: str, arguments: list[str], environment: dict[str, str]) -> None:
        started.append((arguments, environment))

    monkeypatch.setattr("os.execve", execve)  # never replace the test process
    for arguments in (["--database", database, "serve"], ["serve", "--database", database]):
        assert CliRunner().invoke(main, arguments).exit_code == 0
    assert [e["GEOCHECK_DATABASE_URL"] for _, e in started] == [database, database]
    assert all(a[-1] == "service.cli:serving_app" and "--factory" in a for a, _ in started)
    for arguments in (["--server", "http://x", "serve"], ["serve", "--token", "t"]):
        refused = CliRunner().invoke(main, arguments)
        assert refused.exit_code == EXIT_BAD_INPUT and "serve does not take" in refused.output
    assert len(started) == 2


def test_serve_passes_the_server_settings_to_granian() -> None:
    settings = Config.from_env(
        {
            "GEOCHECK_THREADS": "64",
            "GEOCHECK_HEADER_TIMEOUT_S": "2.5",
            "GEOCHECK_SHUTDOWN_TIMEOUT_S": "7",
        }
    )
    arguments = granian_arguments(settings, "127.0.0.1", 8123, 3)
    options = dict(itertools.pairwise(arguments))
    assert options["--interface"] == "wsgi" and options["--workers"] == "3"
    assert options["--blocking-threads"] == "64"
    assert options["--http1-header-read-timeout"] == "2500"
    assert options["--workers-kill-timeout"] == "7"
    assert arguments[-1] == "service.cli:serving_app" and "--factory" in arguments


@pytest.mark.parametrize("seconds, millis", [(0.0001, "1"), (600.0, "60000")])
def test_header_timeout_is_clamped_to_what_granian_takes(seconds: float, millis: str) -> None:
    arguments = granian_arguments(Config(HEADER_TIMEOUT_S=seconds), "127.0.0.1", 8123, 1)
    assert arguments[arguments.index("--http1-header-read-timeout") + 1] == millis
