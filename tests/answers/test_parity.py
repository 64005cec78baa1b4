"""One table of questions, good and bad, asked three ways: the application layer
(:class:`~service.answers.questions.Answers` with :func:`service.problems.problem_for`),
the Flask app over HTTP, and :class:`~service.client.LocalGeocheck`. Every front end must
give the same JSON and the same problems; the local client and the HTTP API are asked
through the same client methods (an HTTP transport over Flask's test client stands in for
a server)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.answers.questions import Answers
from service.client import Geocheck, GeocheckError, LocalGeocheck, RemoteGeocheck
from service.client.local import as_sent
from service.problems import problem_for

AT = "2017-06-15T00:00:00Z"
SITE = {"lat": 33.5, "lon": 38.6}


class FlaskTransport(RemoteGeocheck):
    """The remote client, its requests sent to Flask's test client instead of a socket."""

    def __init__(self, client: FlaskClient) -> None:
        super().__init__("http://geocheck.invalid")
        self.client = client
        self.sent: list[tuple[str, str, Any]] = []

    def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        payload = json if method == "POST" else {k: str(v) for k, v in (params or {}).items()}
        self.sent.append((method, path, payload))
        data = orjson.dumps(json, option=orjson.OPT_SERIALIZE_NUMPY) if json is not None else None
        response = self.client.open(
            path,
            method=method,
            data=data,
            query_string=params,
            headers=headers,
            content_type="application/json" if data else None,
        )
        body = orjson.loads(response.data)
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json"
            raise GeocheckError(response.status_code, body)
        return body


def _plain(value: Any) -> Any:
    return orjson.loads(orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY))


#: (case, the question as a client method call); each is asked by both clients.
QUESTIONS: list[tuple[str, Callable[[Geocheck], Any]]] = [
    ("check a list", lambda gc: gc.check(["33.9, 38.2", SITE], at=AT)),
    ("check lon=500", lambda gc: gc.check([{"lat": 33.9, "lon": 500.0}], at=AT)),
    ("check lat=200 lon=10", lambda gc: gc.check([{"lat": 200.0, "lon": 10.0}], at=AT)),
    ("check negative accuracy", lambda gc: gc.check([{**SITE, "accuracy_m": -1}], at=AT)),
    ("check an unknown zone", lambda gc: gc.check([SITE], zones=["palmira-zone"], at=AT)),
    ("check a site as a zone", lambda gc: gc.check([SITE], zones=["palmyra"], at=AT)),
    (
        "check a zone not in force",
        lambda gc: gc.check([SITE], zones=["al-tanf-deconfliction-zone"], at="2017-05-01"),
    ),
    ("check a bad instant", lambda gc: gc.check([SITE], at="yesterday")),
    ("check an unknown data version", lambda gc: gc.check([SITE], data_version=999)),
    ("check columns", lambda gc: gc.check_columns([33.9, 33.5], [38.2, 38.6], at=AT)),
    ("check columns lon=500", lambda gc: gc.check_columns([33.9], [500.0], at=AT)),
    (
        "check columns negative accuracy",
        lambda gc: gc.check_columns([33.9], [38.2], accuracy_m=[-5.0], at=AT),
    ),
    (
        "check columns, verdicts only",
        lambda gc: gc.check_columns([33.9, 33.5], [38.2, 38.6], distances=False, at=AT),
    ),
    ("distance site to route", lambda gc: gc.distance("palmyra", "palmyra-damascus-highway")),
    ("distance in km", lambda gc: gc.distance(SITE, "palmyra", units="km", at=AT)),
    ("distance to an unknown name", lambda gc: gc.distance(SITE, "palmira", at=AT)),
    (
        "distance to a zone not in force",
        lambda gc: gc.distance(SITE, "al-tanf-deconfliction-zone", at="2017-05-01"),
    ),
    ("distance from a route", lambda gc: gc.distance("palmyra-damascus-highway", SITE, at=AT)),
    ("distance from lon=500", lambda gc: gc.distance({"lat": 33.9, "lon": 500}, "palmyra")),
    (
        "distance columns",
        lambda gc: gc.distance_columns([33.9, 33.5], [38.2, 38.6], "palmyra-damascus-highway"),
    ),
    (
        "distance columns lon=500",
        lambda gc: gc.distance_columns([33.9], [500.0], "palmyra", at=AT),
    ),
    ("nearby", lambda gc: gc.nearby("34.55, 38.27", "60 km", at=AT)),
    ("nearby a bad radius", lambda gc: gc.nearby("34.55, 38.27", "far", at=AT)),
    ("nearby of an unknown kind", lambda gc: gc.nearby("palmyra", "60 km", kind="town")),
    ("destination", lambda gc: gc.destination("palmyra", "SW", "60 km")),
    ("destination too far", lambda gc: gc.destination("palmyra", 225, "200000 km")),
    ("features of a kind", lambda gc: gc.features(kind="zone", at=AT)),
    ("features of an unknown kind", lambda gc: gc.features(kind="town")),
    ("a feature by alias", lambda gc: gc.feature("Tadmur")),
    ("an unknown feature", lambda gc: gc.feature("palmira")),
]


def _outcome(question: Callable[[Geocheck], Any], gc: Geocheck) -> tuple[str, Any]:
    # Compared as returned: a tuple where JSON has a list is a difference.
    try:
        return "answer", question(gc)
    except GeocheckError as err:
        return f"problem {err.status}", err.problem


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('parity') / 'parity.sqlite'}"


@pytest.fixture(scope="module")
def flask_app(database: str) -> Flask:
    return create_app({"DATABASE_URL": database, "MAX_BATCH_POINTS": 1000})


@pytest.fixture(scope="module")
def local(database: str, flask_app: Flask) -> Iterator[LocalGeocheck]:
    with LocalGeocheck(database) as gc:
        yield gc


#: Answers that say "now" when the question named no instant: stamped, not compared.
def _without_now(outcome: tuple[str, Any]) -> tuple[str, Any]:
    kind, body = outcome
    if isinstance(body, dict) and "at" in body and body["at"] != AT:
        body = {k: v for k, v in body.items() if k != "at"}
    if isinstance(body, dict):  # each HTTP request's own id
        body = {k: v for k, v in body.items() if k != "request_id"}
    return kind, body


@pytest.mark.parametrize(("case", "question"), QUESTIONS, ids=[c for c, _ in QUESTIONS])
def test_every_front_end_answers_alike(
    case: str, question: Callable[[Geocheck], Any], flask_app: Flask, local: LocalGeocheck
) -> None:
    http = FlaskTransport(flask_app.test_client())
    over_http = _outcome(question, http)
    in_process = _outcome(question, local)
    assert _without_now(in_process) == _without_now(over_http), case

    # The application layer itself, asked exactly what the client sent over HTTP.
    (method, path, payload), *_ = http.sent
    layer = Answers(local.store, local.answers.limits)
    asks: dict[tuple[str, str], Callable[[Any], Any]] = {
        ("POST", "/check-zone"): layer.check_zone,
        ("POST", "/distance"): layer.distance,
        ("POST", "/destination"): layer.destination,
        ("GET", "/nearby"): layer.nearby,
        ("GET", "/features"): layer.features,
    }
    if path.startswith("/features/"):
        direct: Callable[[], Any] = lambda: layer.feature(path.split("/")[-1], payload)[0]  # noqa: E731
    else:
        direct = lambda: asks[method, path](as_sent(payload))  # noqa: E731
    try:
        from_layer: tuple[str, Any] = ("answer", _plain(direct()))
    except Exception as err:
        problem = problem_for(err)
        assert problem is not None, f"{case}: the layer raised a bug, not a refusal: {err!r}"
        from_layer = (f"problem {problem.status}", problem.body())
    assert _without_now(from_layer) == _without_now(over_http), case


def test_the_table_asks_good_and_bad_questions(flask_app: Flask) -> None:
    """Both kinds are in the table, and every refusal names the field to fix."""
    http = FlaskTransport(flask_app.test_client())
    kinds = [_outcome(question, http) for _, question in QUESTIONS]
    answered = [body for kind, body in kinds if kind == "answer"]
    refused = [(kind, body) for kind, body in kinds if kind != "answer"]
    assert len(answered) >= 10 and len(refused) >= 10
    for kind, body in refused:
        assert kind.startswith("problem 4"), body
        assert body["errors"], f"{kind} names no field: {body}"


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("check lon=500", "points.0.lon"),
        ("check columns lon=500", "points.lon.0"),
        ("check negative accuracy", "points.0.accuracy_m"),
        ("check a site as a zone", "zones"),
        ("check an unknown zone", "zones"),
        ("distance to a zone not in force", "to"),
        ("distance from a route", "from"),
    ],
)
def test_refusals_name_the_field(case: str, field: str, local: LocalGeocheck) -> None:
    question = dict(QUESTIONS)[case]
    kind, body = _outcome(question, local)
    assert kind.startswith("problem 4") and field in body["errors"], body


def test_answers_module_imports_no_web_framework() -> None:
    """The layer and the local client run without Flask (checked in a fresh interpreter)."""
    import subprocess
    import sys

    code = (
        "import sys, service.answers.questions; from service.client import LocalGeocheck;"
        "assert 'flask' not in sys.modules and 'werkzeug' not in sys.modules, "
        "sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'werkzeug'))"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


def test_local_answers_are_the_callers_own(local: LocalGeocheck) -> None:
    """Changing an answer changes nothing for the next caller (the layer memoises)."""
    first = local.feature("palmyra")
    first["properties"]["name"] = "changed"
    first["geometry"] = None
    again = local.feature("Tadmur")
    assert again["properties"]["name"] != "changed" and again["geometry"] is not None
    zones = local.features(kind="zone")
    zones["features"].clear()
    assert local.features(kind="zone")["features"]


@pytest.mark.parametrize("version", ["1", True, 0, 1.5])
def test_a_snapshot_of_no_version_number_is_refused(local: LocalGeocheck, version: object) -> None:
    with pytest.raises(GeocheckError) as refused:
        local.snapshot(data_version=version)  # type: ignore[arg-type]
    assert refused.value.status == 422 and "data_version" in refused.value.problem["errors"]
