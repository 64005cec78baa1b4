"""The application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask

from service.api import checks, features, health, measure
from service.api.errors import register_error_handlers
from service.config import Config
from service.store.memory import FileStore


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the geocheck Flask app.

    Parameters
    ----------
    config : dict, optional
        Overrides for :class:`service.config.Config` fields (tests pass these); everything
        else comes from ``GEOCHECK_*`` environment variables, read now, not at import.
    """
    settings = Config.from_env().updated(config)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.MAX_BODY_BYTES
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["geocheck.config"] = settings
    app.extensions["geocheck.store"] = FileStore(settings.DATA_DIR)
    app.extensions["geocheck.cache"] = {}
    register_error_handlers(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(features.bp)
    app.register_blueprint(checks.bp)
    app.register_blueprint(measure.bp)
    return app
