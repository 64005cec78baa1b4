"""The application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from flask_cors import CORS

from service.answers.questions import Answers, Limits
from service.api import checks, features, health, mapview, measure, metrics, observe, ogc
from service.api import limits as rate_limits
from service.api.auth import Tokens, parse_tokens
from service.api.errors import register_error_handlers
from service.config import Config, default_database_url
from service.store.sql import SqlStore

#: Routes open even when reads need a token (the map page and its files hold no data).
PUBLIC_ENDPOINTS = {
    "health.health",
    "health.openapi",
    "health.openapi_json",
    "health.openapi_html",
    "map.page",
    "map.asset",
    "map.leaflet",
}
#: Blueprints whose GET answers carry ETag and Cache-Control.
CACHED = {"features", "ogc"}


def limits(settings: Config) -> Limits:
    """The server's limits on one question, from its configuration."""
    return Limits(
        max_batch_points=settings.MAX_BATCH_POINTS,
        display_max_error_m=settings.DISPLAY_MAX_ERROR_M,
    )


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
    database_url = settings.DATABASE_URL or default_database_url()
    app.extensions["geocheck.config"] = settings
    app.extensions["geocheck.answers"] = answers = Answers(
        SqlStore(database_url, settings.DATA_DIR), limits(settings)
    )
    # Load the snapshot now: a worker that has answered nothing yet must still hold one
    # to answer from if the database fails.
    answers.reference()
    app.extensions["geocheck.tokens"] = Tokens(
        parse_tokens(settings.API_TOKENS, "GEOCHECK_API_TOKENS"),
        parse_tokens(settings.READ_TOKENS, "GEOCHECK_READ_TOKENS"),
        settings.READ_TOKENS_REQUIRED,
    )
    register_error_handlers(app)

    observe.register(app, answers.store)
    rate_limits.register(app, settings, app.extensions["geocheck.tokens"])

    @app.before_request
    def _private_reads() -> None:
        if request.endpoint not in PUBLIC_ENDPOINTS:
            app.extensions["geocheck.tokens"].require_reader()

    @app.after_request
    def _revalidate(response: Response) -> Response:
        # Reads of the reference set: let browsers and proxies cache, but revalidate each
        # time (a write may land any moment); If-None-Match then gets a cheap 304.
        if request.method == "GET" and response.status_code == 200 and request.blueprint in CACHED:
            if "ETag" not in response.headers:
                response.add_etag()
            response.headers["Cache-Control"] = "no-cache"
            response.make_conditional(request)
        return response

    CORS(
        app,
        origins=[o.strip() for o in settings.CORS_ORIGINS.split(",") if o.strip()],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "If-Match",
            "If-None-Match",
            "X-Request-ID",
        ],
        expose_headers=[
            "ETag",
            "Location",
            "X-Data-Version",
            "Retry-After",
            "Warning",
            "X-Geocheck-Stale",
            "X-Request-ID",
        ],
    )
    blueprints = (health.bp, features.bp, checks.bp, measure.bp, ogc.bp, mapview.bp, metrics.bp)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    return app
