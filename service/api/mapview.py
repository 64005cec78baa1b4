"""The map page: the reference set drawn with Leaflet (installed from PyPI's
xstatic-leaflet with everything else and served from here: no CDN, works offline);
click anywhere, or paste a point, to check it."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from flask import Blueprint, Response, abort, render_template
from werkzeug.security import safe_join
from xstatic.pkg import leaflet as xstatic_leaflet

bp = Blueprint("map", __name__, template_folder="templates", static_folder=None)
STATIC = Path(__file__).resolve().parent / "static"


@bp.get("/map")
def page() -> str:
    return render_template("map.html", leaflet_version=xstatic_leaflet.VERSION)


def _file(folder: Path | str, name: str) -> Response:
    """A small file from ``folder``, read whole (no file handle outlives the request);
    names that leave the folder are 404."""
    path = safe_join(str(folder), name)
    if path is None or not Path(path).is_file():
        abort(404)
    mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
    response = Response(Path(path).read_bytes(), mimetype=mimetype)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/map/static/<path:name>")
def asset(name: str) -> Response:
    return _file(STATIC, name)


@bp.get("/map/vendor/leaflet/<path:name>")
def leaflet(name: str) -> Response:
    return _file(xstatic_leaflet.BASE_DIR, name)
