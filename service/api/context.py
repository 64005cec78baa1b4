"""Per-app services the views reach through ``current_app.extensions``."""

from __future__ import annotations

from typing import cast

from flask import current_app

from service.answers.questions import Answers
from service.api.auth import Tokens
from service.config import Config


def answers() -> Answers:
    """The application layer this app answers from."""
    return cast(Answers, current_app.extensions["geocheck.answers"])


def tokens() -> Tokens:
    return cast(Tokens, current_app.extensions["geocheck.tokens"])


def config() -> Config:
    return cast(Config, current_app.extensions["geocheck.config"])
