"""Answers from the local store, computed in this process: no server, no Flask."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import orjson

from schemas.base import format_instant
from service.answers import Moment
from service.answers.questions import Answers, Limits
from service.client.base import Geocheck, GeocheckError, Snapshot
from service.config import Config, default_database_url
from service.problems import problem_for
from service.store.sql import SqlStore

T = TypeVar("T")

#: A local batch is limited by memory, not by a server's request size.
LOCAL_MAX_BATCH_POINTS = 10_000_000


@contextmanager
def refusals() -> Iterator[None]:
    """Domain errors raised as :class:`GeocheckError` holding the problem the server
    answers with, so local and remote callers handle one kind of error."""
    try:
        yield
    except Exception as err:
        problem = problem_for(err)
        if problem is None:
            raise
        raise GeocheckError(problem.status, problem.body()) from None


def as_sent(body: Any) -> Any:
    """``body`` as it would cross the wire: encoded as the remote client and the server
    encode it (numpy values as numbers, NaN as null, tuples as lists) and decoded again."""
    return orjson.loads(orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY))


def _asked(question: Callable[..., T], *args: Any) -> T:
    with refusals():
        return question(*args)


class LocalSnapshot(Snapshot):
    """Column questions answered from one in-memory reference set at one instant: no
    connection and no JSON, so calls may run in parallel threads (the geodesy releases
    the GIL). For bulk speed, columns of numbers come back as numpy arrays holding the
    API's values (every other client method returns plain JSON values)."""

    parallel = True

    def __init__(self, answers: Answers, moment: Moment) -> None:
        super().__init__(moment.data_version, format_instant(moment.at))
        self.answers = answers
        self.moment = moment

    def _ask(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        question = self.answers.check_zone if path == "/check-zone" else self.answers.distance
        return _asked(question, body, self.moment)


class LocalGeocheck(Geocheck):
    """Answers from the local store (the same SQLite file ``make run`` serves, unless
    ``database_url`` or ``GEOCHECK_DATABASE_URL`` says otherwise).

    Parameters
    ----------
    database_url : str, optional
        SQLAlchemy URL of the store; default as the server's.
    """

    def __init__(self, database_url: str | None = None) -> None:
        config = Config.from_env()
        url = database_url or config.DATABASE_URL or default_database_url()
        self.store = SqlStore(url, config.DATA_DIR)
        self.answers = Answers(
            self.store,
            Limits(
                max_batch_points=LOCAL_MAX_BATCH_POINTS,
                max_import_features=None,
                display_max_error_m=config.DISPLAY_MAX_ERROR_M,
            ),
        )
        self._posts: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "/check-zone": self.answers.check_zone,
            "/distance": self.answers.distance,
            "/destination": self.answers.destination,
        }
        self._gets: dict[str, Callable[[dict[str, str]], dict[str, Any]]] = {
            "/nearby": self.answers.nearby,
            "/features": self.answers.features,
        }

    # Answers go back as a server's would arrive: fresh JSON values, never the layer's own
    # (memoised, shared) objects, which a caller could otherwise change for everyone.

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return as_sent(_asked(self._posts[path], as_sent(body)))

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        # As a query string carries them: every value is text.
        return as_sent(_asked(self._gets[path], {k: str(v) for k, v in params.items()}))

    def feature(self, feature_id: str) -> dict[str, Any]:
        """One feature by id or alias, as GeoJSON."""
        served, _ = _asked(self.answers.feature, feature_id, {})
        return as_sent(served)

    def snapshot(self, at: str | None = None, data_version: int | None = None) -> LocalSnapshot:
        """The store at ``data_version`` (default: now), answering at ``at``, in-process."""
        return LocalSnapshot(self.answers, _asked(self.answers.moment, at, data_version))

    def load(
        self, collection: dict[str, Any], token: str | None = None, written_by: str = "local"
    ) -> dict[str, Any]:
        """Import into the local store directly, all or nothing (no token: the file is
        yours; no per-request size limit)."""
        return as_sent(_asked(self.answers.import_collection, as_sent(collection), written_by))

    def export(self) -> dict[str, Any]:
        """Every feature in force as stored (a FeatureCollection that ``load`` accepts)."""
        return as_sent(_asked(self.answers.export))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> LocalGeocheck:
        return self
