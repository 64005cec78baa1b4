"""geocheck: geospatial rule checking on the WGS84 ellipsoid.

The package is importable without side effects: nothing reads configuration or touches
the network or disk at import time. The web application is built by :func:`create_app`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

__version__ = "0.1.0"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask application (see :func:`service.api.app.create_app`)."""
    # Imported here so that ``import service.geodesy`` never pulls in Flask.
    from service.api.app import create_app as _create_app

    return _create_app(config)
