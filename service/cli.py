"""The ``geocheck`` command: the service's questions from a shell.

By default answers come from the local store (no server needed); ``--server URL`` (or
``GEOCHECK_SERVER``) asks a running service instead, with identical answers. Tables for
people, ``--json`` for machines (the API's JSON). Exit codes: 0 ok, 1 error (server,
data), 2 bad input, 3 a point is inside a zone and ``--fail-inside`` was given.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar, NoReturn

import click
from click.core import ParameterSource

# Only click is imported here, so that `geocheck distance …` run in a script's loop pays
# for what its command needs and no more: each command imports its own modules, requests
# only with --server (tests/test_cli.py checks what the command and a local answer import).
if TYPE_CHECKING:
    from marshmallow import ValidationError

    from service.client import LocalGeocheck, RemoteGeocheck
    from service.config import Config

EXIT_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_INSIDE = 3


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    """One clear line on stderr, and a distinct exit code."""
    click.echo(f"geocheck: {message}", err=True)
    sys.exit(code)


@contextmanager
def output_file(name: str) -> Iterator[IO[str]]:
    """Standard output for ``-``; otherwise a file written whole or not at all: into a
    temporary file beside it, renamed over it once complete. So an output may name its own
    input, and a run that fails leaves whatever was there before."""
    if name == "-":
        yield sys.stdout
        return
    target = Path(name)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        handle = partial.open("x", encoding="utf-8", newline="")
    except OSError as err:
        fail(f"cannot write {name}: {err.strerror or err}", EXIT_BAD_INPUT)
    try:
        with handle:
            yield handle
        os.replace(partial, target)
    except OSError as err:
        partial.unlink(missing_ok=True)
        fail(f"cannot write {name}: {err.strerror or err}")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


@contextmanager
def connect(ctx: click.Context) -> Iterator[LocalGeocheck | RemoteGeocheck]:
    """The local store, or the server named by --server, for one command."""
    from service.client import GeocheckError

    options = ctx.ensure_object(GlobalOptions)
    client: LocalGeocheck | RemoteGeocheck
    network_errors: tuple[type[Exception], ...] = ()
    if options.server:
        import requests

        from service.client import RemoteGeocheck

        network_errors = (requests.RequestException,)
        client = RemoteGeocheck(options.server, token=options.token)
    else:
        from service.client import LocalGeocheck

        try:
            client = LocalGeocheck(options.database)
        except Exception as err:  # the store could not be opened: say so in one line
            fail(f"cannot open the local store: {err}")
    try:
        yield client
    except GeocheckError as err:
        fields = "; ".join(  # what the detail does not already say
            f"{k}: {' '.join(v)}"
            for k, v in (err.problem.get("errors") or {}).items()
            if " ".join(v) not in str(err)
        )
        code = (
            EXIT_BAD_INPUT
            if 400 <= err.status < 500 and err.status not in (401, 403)
            else EXIT_ERROR
        )
        fail(f"{err}{' (' + fields + ')' if fields and fields not in str(err) else ''}", code)
    except network_errors as err:
        fail(f"cannot reach {options.server}: {type(err).__name__}")
    finally:
        client.close()


#: Length units of ``--units`` (the keys of ``schemas.units.UNITS``, which would import
#: marshmallow; a test checks they agree).
UNIT_NAMES = ("km", "m", "mi", "nmi")
#: Formats of ``annotate --format`` (``service.annotate.FORMATS``, checked by a test).
ANNOTATE_FORMATS = ("csv", "ndjson", "geojson")


def output_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option(
        "--json", "as_json", is_flag=True, help="Print the API's JSON instead of a table."
    )(command)
    return click.option(
        "--units",
        type=click.Choice(UNIT_NAMES),
        default="m",
        show_default=True,
        help="Units for lengths in tables.",
    )(command)


def emit_json(answer: Any) -> None:
    click.echo(json.dumps(answer, ensure_ascii=False, indent=2))


def table(header: list[str], rows: list[list[Any]]) -> None:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(header)
    ]
    click.echo("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    for row in cells:
        click.echo(
            "  ".join(
                c.rjust(w) if _numeric(c) else c.ljust(w) for c, w in zip(row, widths, strict=True)
            ).rstrip()
        )


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3f}"
    return str(value)


def _numeric(text: str) -> bool:
    return text.replace(",", "").replace(".", "", 1).lstrip("-").isdigit()


def length(metres: float | None, units: str) -> float | None:
    from schemas.units import UNITS

    return None if metres is None else metres / UNITS[units]


def _message(err: ValidationError) -> str:
    from schemas.base import message_lines

    return "; ".join(message_lines(err.messages))


def point_argument(text: str) -> Any:
    """A point as typed: a coordinate in any accepted form, else passed on as a site name."""
    from marshmallow import ValidationError

    from schemas.point import parse_point

    try:
        return parse_point(text)
    except ValidationError:
        return text


@dataclass
class GlobalOptions:
    """The group's options, wherever they were typed: ``geocheck --server URL distance …``
    and ``geocheck distance … --server URL`` mean the same (see :func:`global_options`)."""

    #: Options whose values are never repeated back (in an error message, say).
    SECRET: ClassVar[frozenset[str]] = frozenset({"token"})

    server: str | None = None
    token: str | None = None
    database: str | None = None
    #: The options typed on the command line, with their values.
    typed: dict[str, str] = field(default_factory=dict)


def _take_global(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Store a global option in the command's :class:`GlobalOptions` (``ctx.obj``, shared
    by the group and its command). Typed values win over the environment; the same
    option typed before and after the command must agree."""
    options = ctx.ensure_object(GlobalOptions)
    name = param.name
    assert name is not None
    if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE:
        assert value is not None
        earlier = options.typed.get(name)
        if earlier is not None and earlier != value:
            values = "" if name in options.SECRET else f": {earlier!r} and {value!r}"
            raise click.UsageError(
                f"{param.opts[0]} was given twice with different values{values}.", ctx
            )
        options.typed[name] = value
        setattr(options, name, value)
    elif name not in options.typed and value is not None:
        setattr(options, name, value)  # from the environment


def _global_option(name: str, metavar: str, envvar: str, text: str) -> Any:
    return click.option(
        name,
        metavar=metavar,
        envvar=envvar,
        show_envvar=True,
        expose_value=False,  # stored by the callback in GlobalOptions instead
        callback=_take_global,
        help=text,
    )


#: The group's options; :func:`global_options` adds them to the group and to every command.
GLOBAL_OPTIONS = [
    _global_option(
        "--server", "URL", "GEOCHECK_SERVER", "Ask this running service instead of the local store."
    ),
    _global_option("--token", "TOKEN", "GEOCHECK_TOKEN", "Bearer token for writes to a server."),
    _global_option(
        "--database",
        "URL",
        "GEOCHECK_DATABASE_URL",
        "Local store URL (default: the instance SQLite file).",
    ),
]


def global_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The group's options, accepted before the command's name and after it: added to
    ``main`` and to every command alike, each storing into :class:`GlobalOptions`."""
    for option in reversed(GLOBAL_OPTIONS):
        command = option(command)
    return command


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="--server, --token and --database may also follow the command's name.",
)
@global_options
@click.version_option(package_name="geocheck")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Exact geodesic rule checks on WGS84: zones, distances, reference places."""
    ctx.ensure_object(GlobalOptions)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@global_options
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int) -> None:
    """Serve the HTTP API with granian (what `make run` runs), from --database if given."""
    from service.config import Config

    options = ctx.ensure_object(GlobalOptions)
    for name in ("server", "token"):
        if name in options.typed:
            fail(f"serve does not take --{name} (it serves the store)", EXIT_BAD_INPUT)
    environment = dict(os.environ)
    if options.database:
        environment["GEOCHECK_DATABASE_URL"] = options.database
    try:
        settings = Config.from_env(environment)
    except ValueError as err:
        fail(str(err), EXIT_BAD_INPUT)
    os.execve(sys.executable, granian_arguments(settings, host, port, workers), environment)


def granian_arguments(settings: Config, host: str, port: int, workers: int) -> list[str]:
    """The command line that serves the app with granian's WSGI interface.

    Granian reads requests in Rust: a request takes one of a worker's ``THREADS`` Python
    threads only once its headers are in, and a thread waiting for a slow body releases
    the GIL, so slow clients cannot starve the workers (gunicorn's sync workers were each
    held by one). ``HEADER_TIMEOUT_S`` is granian's header read timeout (ms, 1–60,000);
    SIGTERM stops accepting and lets in-flight requests finish for ``SHUTDOWN_TIMEOUT_S``.
    A worker that dies is respawned, as gunicorn did.
    """
    header_ms = min(60_000, max(1, round(settings.HEADER_TIMEOUT_S * 1000)))
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--factory",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(settings.THREADS),
        "--http",
        "1",
        "--http1-header-read-timeout",
        str(header_ms),
        "--workers-kill-timeout",
        str(max(1, settings.SHUTDOWN_TIMEOUT_S)),
        "--respawn-failed-workers",
        "--no-ws",
        "--access-log",
        "service.cli:serving_app",
    ]


def serving_app() -> Any:
    """The app each granian worker of ``serve`` builds: one BLAS thread in the worker
    (see :func:`service.config.limit_blas_threads`), then :func:`service.create_app`."""
    from service import create_app
    from service.api.serving import prepare_worker
    from service.config import limit_blas_threads

    limit_blas_threads()
    prepare_worker()  # JSON logs; metrics shared by the workers (before prometheus_client)
    return create_app()


@main.command()
@click.argument("points", nargs=-1, required=True)
@click.option(
    "--zone",
    "zones",
    multiple=True,
    help="Check only this zone (repeatable); default all in force.",
)
@click.option("--accuracy", type=float, help="Accuracy of the points in metres.")
@click.option("--at", help="Answer for this time (RFC 3339 or a date).")
@click.option("--fail-inside", is_flag=True, help="Exit 3 if any point is inside a zone.")
@output_options
@global_options
@click.pass_context
def check(
    ctx: click.Context,
    points: tuple[str, ...],
    zones: tuple[str, ...],
    accuracy: float | None,
    at: str | None,
    fail_inside: bool,
    as_json: bool,
    units: str,
) -> None:
    """Is each POINT inside the zones? Points: "33.9, 38.2", DMS, MGRS."""
    from marshmallow import ValidationError

    from schemas.point import parse_point

    parsed = []
    for text in points:
        try:
            point = parse_point(text)
        except ValidationError as err:
            fail(f"{text!r} is not a point: {_message(err)}", EXIT_BAD_INPUT)
        if accuracy is not None:
            point["accuracy_m"] = accuracy
        point["id"] = text
        parsed.append(point)
    with connect(ctx) as gc:
        answer = gc.check(parsed, zones=list(zones) or None, at=at)
    if as_json:
        emit_json(answer)
    else:
        rows = []
        for result in answer["results"]:
            for zone in result["zones"] or [None]:
                rows.append(
                    [
                        result["id"],
                        result["verdict"],
                        zone and zone["zone"],
                        zone and zone["verdict"],
                        zone and length(zone["distance_to_boundary_m"], units),
                        zone and length(zone["margin_m"], units),
                    ]
                )
        table(
            [
                "point",
                "verdict",
                "zone",
                "zone verdict",
                f"to boundary ({units})",
                f"margin ({units})",
            ],
            rows,
        )
    if fail_inside and any(r["verdict"] == "inside" for r in answer["results"]):
        sys.exit(EXIT_INSIDE)


@main.command()
@click.argument("origin", metavar="FROM")
@click.argument("to")
@click.option("--at", help="Answer for this time (RFC 3339 or a date).")
@output_options
@global_options
@click.pass_context
def distance(
    ctx: click.Context, origin: str, to: str, at: str | None, as_json: bool, units: str
) -> None:
    """Distance from FROM (a point or a site) to TO (a feature id/alias or a point)."""
    with connect(ctx) as gc:
        answer = gc.distance(
            point_argument(origin), to, units=None if units == "m" else units, at=at
        )
    if as_json:
        emit_json(answer)
        return
    target = answer["to"].get("id") or f"{answer['to']['lat']}, {answer['to']['lon']}"
    rows: list[list[Any]] = [
        ["to", f"{target} ({answer['to']['kind']})"],
        [f"distance ({units})", length(answer["distance_m"], units)],
        ["azimuth (deg)", answer["azimuth_deg"]],
        ["nearest", f"{answer['nearest']['lat']:.6f}, {answer['nearest']['lon']:.6f}"],
        [f"uncertainty ({units})", length(answer["uncertainty_m"], units)],
    ]
    for key in ("along_m", "distance_to_boundary_m", "distance_to_center_m"):
        if key in answer:
            rows.append([f"{key[:-2].replace('_', ' ')} ({units})", length(answer[key], units)])
    for key in ("segment", "side", "inside"):
        if key in answer:
            rows.append([key, answer[key]])
    table(["", "value"], rows)


@main.command()
@click.argument("point")
@click.option("--radius", default="100km", show_default=True, help="e.g. 60km, 34mi, 55000m")
@click.option("--kind", type=click.Choice(["site", "route", "area", "zone"]))
@output_options
@global_options
@click.pass_context
def nearby(
    ctx: click.Context, point: str, radius: str, kind: str | None, as_json: bool, units: str
) -> None:
    """Features within RADIUS of POINT (a point or a site), nearest first."""
    from marshmallow import ValidationError

    from schemas.units import parse_length

    try:
        parse_length(radius)
    except ValidationError as err:
        fail(f"--radius: {_message(err)}", EXIT_BAD_INPUT)
    with connect(ctx) as gc:
        answer = gc.nearby(point, radius, kind=kind)
    if as_json:
        emit_json(answer)
        return
    table(
        ["id", "kind", f"distance ({units})", "azimuth", "name"],
        [
            [f["id"], f["kind"], length(f["distance_m"], units), f["azimuth_deg"], f["name"]]
            for f in answer["features"]
        ],
    )


@main.command()
@click.argument("origin", metavar="FROM")
@click.option("--azimuth", required=True, help="Degrees from north, or SW, north-east, …")
@click.option("--distance", "dist", required=True, help="e.g. 60km, 34mi")
@output_options
@global_options
@click.pass_context
def destination(
    ctx: click.Context, origin: str, azimuth: str, dist: str, as_json: bool, units: str
) -> None:
    """The point reached from FROM along a geodesic of given azimuth and length."""
    try:
        azimuth_value: Any = float(azimuth)
    except ValueError:
        azimuth_value = azimuth
    with connect(ctx) as gc:
        answer = gc.destination(point_argument(origin), azimuth_value, dist)
    if as_json:
        emit_json(answer)
        return
    table(
        ["lat", "lon", "azimuth (deg)", f"distance ({units})"],
        [
            [
                f"{answer['lat']:.6f}",
                f"{answer['lon']:.6f}",
                answer["azimuth_deg"],
                length(answer["distance_m"], units),
            ]
        ],
    )


@main.command()
@click.argument("feature_id", required=False)
@click.option("--kind", type=click.Choice(["site", "route", "area", "zone"]))
@click.option("--json", "as_json", is_flag=True, help="Print the GeoJSON.")
@global_options
@click.pass_context
def features(ctx: click.Context, feature_id: str | None, kind: str | None, as_json: bool) -> None:
    """List the reference features, or show one by id or alias."""
    with connect(ctx) as gc:
        answer = gc.feature(feature_id) if feature_id else gc.features(kind=kind)
    if as_json:
        emit_json(answer)
        return
    items = [answer] if feature_id else answer["features"]
    table(
        ["id", "kind", "uncertainty (m)", "name"],
        [
            [
                f["id"],
                f["properties"]["kind"],
                f["properties"]["effective_uncertainty_m"],
                f["properties"]["name"],
            ]
            for f in items
        ],
    )
    if feature_id:
        props = answer["properties"]
        if props.get("notes"):
            click.echo(f"\nnotes: {props['notes']}")
        for source in props.get("sources") or []:
            click.echo(
                f"source: {source['title']} ({source.get('date') or 'n.d.'})"
                f" {source.get('url') or ''}".rstrip()
            )


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@global_options
@click.pass_context
def load(ctx: click.Context, file: Path) -> None:
    """Load a GeoJSON FeatureCollection into the store, all or nothing."""
    try:
        collection = json.loads(file.read_text(encoding="utf-8"))
    except ValueError as err:
        fail(f"{file.name} is not valid JSON: {err}", EXIT_BAD_INPUT)
    with connect(ctx) as gc:
        answer = gc.load(collection, token=ctx.ensure_object(GlobalOptions).token)
    click.echo(f"loaded {len(answer['written'])} features; data version {answer['data_version']}")


@main.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default stdout).",
)
@global_options
@click.pass_context
def export(ctx: click.Context, output: Path | None) -> None:
    """Write every feature in force as a FeatureCollection that `load` accepts."""
    with connect(ctx) as gc:
        answer = gc.features()
    with output_file(str(output or "-")) as stream:
        stream.write(json.dumps(answer, ensure_ascii=False, indent=1) + "\n")


@main.command()
@click.argument(
    "source", metavar="INPUT", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("-o", "--output", required=True, help="Output file, or - for stdout.")
@click.option(
    "--format", "fmt", type=click.Choice(ANNOTATE_FORMATS), help="Default: from the file extension."
)
@click.option("--lat-col", help="Latitude column (default: lat, latitude, y, …).")
@click.option("--lon-col", help="Longitude column (default: lon, lng, longitude, x, …).")
@click.option("--coord-col", help="One column holding both, in any point form.")
@click.option(
    "--distance-to",
    default="",
    help="Comma-separated features to measure to, e.g. palmyra,palmyra-damascus-highway",
)
@click.option("--zone", "zones", multiple=True, help="Check only this zone (repeatable).")
@click.option("--at", help="Answer for this time (RFC 3339 or a date).")
@click.option("--strict", is_flag=True, help="Stop at the first bad row (exit 2).")
@click.option(
    "--chunk-size",
    type=click.IntRange(1, 1_000_000),
    help="Rows per chunk (default 50,000 for CSV, 10,000 for JSON).",
)
@click.option(
    "--encoding",
    default="utf-8-sig",
    show_default=True,
    help="Text encoding of INPUT, e.g. cp1252 (a UTF-8 byte-order mark is skipped).",
)
@click.option(
    "--jobs",
    default=0,
    type=click.IntRange(0, 64),
    help="Threads computing chunks (default 0: one per CPU, at most 3; with --server, 1).",
)
@global_options
@click.pass_context
def annotate(
    ctx: click.Context,
    source: Path,
    output: str,
    fmt: str | None,
    lat_col: str | None,
    lon_col: str | None,
    coord_col: str | None,
    distance_to: str,
    zones: tuple[str, ...],
    at: str | None,
    strict: bool,
    chunk_size: int | None,
    encoding: str,
    jobs: int,
) -> None:
    """Add verdicts and distances to every row of a CSV, NDJSON or GeoJSON file."""
    from service.annotate import AnnotateError, Options, annotate_file, detect_format
    from service.config import limit_blas_threads

    limit_blas_threads()  # see there: BLAS threads would take CPU from annotate's own
    try:
        kind = detect_format(source, fmt)
    except AnnotateError as err:
        fail(str(err), EXIT_BAD_INPUT)
    options = Options(
        lat_col=lat_col,
        lon_col=lon_col,
        coord_col=coord_col,
        distance_to=[t.strip() for t in distance_to.split(",") if t.strip()],
        zones=list(zones) or None,
        at=at,
        strict=strict,
        chunk_size=chunk_size,
        workers=jobs,
        encoding=encoding,
    )
    show_progress = output != "-" and sys.stderr.isatty()
    with connect(ctx) as gc, output_file(output) as stream:
        try:
            if show_progress:
                with click.progressbar(
                    length=source.stat().st_size, label="annotating", file=sys.stderr
                ) as bar:
                    report = annotate_file(source, stream, kind, gc, options, bar.update)
            else:
                report = annotate_file(source, stream, kind, gc, options)
        except AnnotateError as err:
            fail(str(err), EXIT_BAD_INPUT)
    click.echo(
        f"geocheck: annotated {report.annotated} of {report.rows} rows "
        f"({report.inside} inside a zone, {len(report.bad)} bad)",
        err=True,
    )
    for line, reason in report.bad[:20]:
        click.echo(f"geocheck: {report.unit} {line}: {reason}", err=True)
    if len(report.bad) > 20:
        click.echo(f"geocheck: … and {len(report.bad) - 20} more bad rows", err=True)
