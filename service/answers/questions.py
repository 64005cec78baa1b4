"""Every question as a front end receives it: a JSON body or query arguments in, the
wire-shaped answer out.

:class:`Answers` validates with :mod:`schemas`, pins a :class:`~service.answers.Moment`
from the store and calls the answering functions of this package. The Flask views and
:class:`~service.client.LocalGeocheck` both hold one and call the same method for the same
question, so they validate, answer and refuse alike; they differ only in transport.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from marshmallow import ValidationError

from schemas.area import area_request_schema
from schemas.base import StrictSchema, load_query
from schemas.check import check_zone_request_schema, point_count, points_of
from schemas.destination import destination_request_schema
from schemas.distance import distance_query_schema, distance_request_schema, nearby_query_schema
from schemas.feature import feature_query_schema, features_query_schema
from schemas.point import parse_columns, parse_point, parse_point_list
from schemas.zone import zone_polygon_query_schema
from service import __version__
from service.answers import Moment, geometry, instant, require_batch_size, stale_member
from service.answers import check as checks
from service.answers import distance as distances
from service.answers import features as feature_answers
from service.answers.distance import point_problem
from service.answers.errors import InvalidInputError
from service.answers.features import FeatureDocuments
from service.observed import Outage, note_batch, note_stale
from service.store.errors import StoreUnavailableError

if TYPE_CHECKING:
    from service.rules.reference import ReferenceSet
    from service.store.sql import SqlStore

#: Routes that take no query parameters at all.
NO_PARAMETERS = StrictSchema()
#: Most features one ``POST /features:import`` may carry over HTTP.
MAX_IMPORT = 10_000


@dataclass(frozen=True)
class Limits:
    """What one question may ask for, and how features are drawn.

    Parameters
    ----------
    max_batch_points : int
        The most points one check or distance batch may carry.
    max_import_features : int or None
        The most features one import may carry (None: no limit).
    display_max_error_m : float
        Largest distance (m) a zone's served display polygon may stray from its exact
        boundary.
    """

    max_batch_points: int = 100_000
    max_import_features: int | None = MAX_IMPORT
    display_max_error_m: float = 10.0


class Answers:
    """The application layer over one store.

    Parameters
    ----------
    store : SqlStore
        Where reference sets are read from (``snapshot()``, ``snapshot_at(version)``) and
        writes go.
    limits : Limits
        Batch and import limits; the server's come from its configuration.
    """

    def __init__(self, store: SqlStore, limits: Limits | None = None) -> None:
        self.store = store
        self.limits = limits or Limits()
        self.documents = FeatureDocuments(self.limits.display_max_error_m)

    # -- pinning ------------------------------------------------------------------------

    def _held(self, data_version: int | None) -> tuple[ReferenceSet, Outage | None]:
        # While the store is unreachable the last reference set held answers, and the
        # outage is noted so that the front end can label the answer stale.
        reference, outage = self.store.reading(data_version)
        if outage is not None:
            note_stale(outage)
        return reference, outage

    def reference(self, data_version: int | None = None) -> ReferenceSet:
        """The reference set now, or as the store stood at ``data_version``.

        Parameters
        ----------
        data_version : int or None
            A version the store had, or None for the current one.

        Returns
        -------
        ReferenceSet

        Raises
        ------
        UnknownVersionError
            For a version the store never had.
        StoreUnavailableError
            While the store is unreachable, for a version not held in memory (the last
            reference set held answers for the current one).
        """
        return self._held(data_version)[0]

    def moment(self, at: Any = None, data_version: Any = None) -> Moment:
        """The reference set at ``data_version`` at the instant ``at``.

        Parameters
        ----------
        at : str, datetime or None
            RFC 3339 text (or a date), a datetime, or None for now.
        data_version : int or None
            A whole number ≥ 1, or None for the current version.

        Returns
        -------
        Moment

        Raises
        ------
        InvalidInputError
            For an ``at`` that is no time or a ``data_version`` that is no version number.
        UnknownVersionError
            For a version the store never had.
        StoreUnavailableError
            While the store is unreachable, for a version not held in memory.
        """
        valid = isinstance(data_version, int) and not isinstance(data_version, bool)
        if data_version is not None and not (valid and data_version >= 1):
            raise InvalidInputError(
                f"data_version must be a whole number ≥ 1, not {data_version!r}.",
                {"data_version": ["Must be an integer ≥ 1."]},
            )
        when = instant(at)
        reference, outage = self._held(data_version)
        return Moment(reference, when, outage)

    def _pin(self, pinned: Moment | None, at: Any, data_version: int | None) -> Moment:
        # A caller that pinned a moment for a run of questions (a snapshot) sends neither
        # ``at`` nor ``data_version``; everyone else gets them read from the question.
        return pinned if pinned is not None else self.moment(at, data_version)

    def health(self) -> dict[str, Any]:
        """``GET /health``: the version, the number of features, the data version and
        the database's state.

        Returns
        -------
        dict
            ``status`` (``"ok"`` only while the store answers; ``"degraded"``: answering
            from the last snapshot; ``"unavailable"``: none held), ``version``
            (geocheck's), ``features`` (how many are stored, not retired),
            ``data_version`` and ``database`` (its state), plus ``stale`` while degraded.
        """
        try:
            reference, outage = self.store.reading()
        except StoreUnavailableError as err:
            return {
                "status": "unavailable",
                "version": __version__,
                "database": _database_state(err.outage),
            }
        return {
            "status": "ok" if outage is None else "degraded",
            "version": __version__,
            "features": len(reference),
            "data_version": reference.data_version,
            "database": _database_state(outage),
            **stale_member(outage),
        }

    # -- checks -------------------------------------------------------------------------

    def check_zone(self, body: dict[str, Any], pinned: Moment | None = None) -> dict[str, Any]:
        """``POST /check-zone``: one point, a list, columns or a FeatureCollection against the
        zones.

        Parameters
        ----------
        body : dict
            The JSON body as received: ``point`` (``{"lat", "lon", "accuracy_m", "id"}``, a
            GeoJSON Point ``[lon, lat]`` or ``"lat, lon"`` text) or ``points`` (a list of them,
            or columns ``{"lat": [...], "lon": [...]}``), or the body is a FeatureCollection of
            Points; optionally ``zones`` (ids or aliases), ``distances``, ``at`` and
            ``data_version``.
        pinned : Moment or None
            A moment pinned for a run of questions (a snapshot), used instead of the body's
            ``at`` and ``data_version``; None to read them from the body.

        Returns
        -------
        dict
            As :func:`~service.answers.check.check_one` or
            :func:`~service.answers.check.check_batch` answer: ``results``, ``at``,
            ``data_version``, ``model`` and ``zones``.

        Raises
        ------
        marshmallow.ValidationError
            For body fields that do not validate, naming each.
        InvalidInputError
            For a point that is no point, or an ``at`` that is no time.
        UnknownVersionError
            For a ``data_version`` the store never had.
        BatchTooLargeError
            For more points than ``limits.max_batch_points``.
        UnknownFeatureError, NotAZoneError
            For a name in ``zones`` that is no feature, or no zone.
        """
        if body.keys() == {"point"}:
            # The commonest request: the envelope schema could only confirm what the key
            # test just did, so go straight to validating the point.
            return checks.check_one(self._pin(pinned, None, None), _point(body["point"], "point"))
        data = check_zone_request_schema.load(body)
        moment = self._pin(pinned, data.get("at"), data.get("data_version"))
        if "point" in data:
            return checks.check_one(moment, _point(data["point"], "point"), data.get("zones"))
        count = point_count(data)
        require_batch_size(count, self.limits.max_batch_points, "points")
        note_batch(count)
        batch, form = points_of(data)
        return checks.check_batch(
            moment,
            batch,
            data.get("zones"),
            columns=form == "columns",
            distances=data["distances"],
        )

    # -- distances ----------------------------------------------------------------------

    def distance_query(self, args: Mapping[str, str]) -> dict[str, Any]:
        """``GET /distance?from=…&to=…``: one start (a point string or a site) to one
        reference.

        Parameters
        ----------
        args : Mapping of str to str
            The query arguments as text, as received.
            ``from`` (``"lat, lon"`` text or a site's id or alias), ``to`` (a feature's id or
            alias, or ``"lat, lon"`` text), and optionally ``accuracy_m``, ``units``, ``at`` and
            ``data_version``.

        Returns
        -------
        dict
            As :func:`~service.answers.distance.distance_one` answers, without ``from.id``.

        Raises
        ------
        UnknownParametersError
            For a query argument the route does not take.
        marshmallow.ValidationError
            For arguments that do not validate, naming each.
        InvalidInputError
            For an ``at`` that is no time.
        UnknownVersionError
            For a ``data_version`` the store never had.
        InvalidInputError
            Also for a ``from`` that is neither a point nor a site.
        UnknownFeatureError, NotInForceError
            For a ``to`` that names no feature, or one not in force at ``at``.
        """
        query = load_query(distance_query_schema, args)
        moment = self.moment(query.get("at"), query.get("data_version"))
        start = distances.origin(moment, query["from_"], "from")
        if "accuracy_m" in query:
            start["accuracy_m"] = query["accuracy_m"]
        return distances.distance_one(moment, start, query["to"], query["units"], echo_id=False)

    def distance(self, body: dict[str, Any], pinned: Moment | None = None) -> dict[str, Any]:
        """``POST /distance``: one start, a list or columns, to one reference.

        Parameters
        ----------
        body : dict
            The JSON body as received: ``from`` (a point, a site's id or alias, a list of points,
            or columns ``{"lat": [...], "lon": [...]}``), ``to`` (a feature's id or alias, or a
            point), and optionally ``units``, ``at`` and ``data_version``.
        pinned : Moment or None
            A moment pinned for a run of questions (a snapshot), used instead of the body's
            ``at`` and ``data_version``; None to read them from the body.

        Returns
        -------
        dict
            As :func:`~service.answers.distance.distance_one` answers for one start, or
            :func:`~service.answers.distance.distance_batch` for a list or columns.

        Raises
        ------
        marshmallow.ValidationError
            For body fields that do not validate, naming each.
        InvalidInputError
            For a start that is no point (nor a site), an empty list, or an ``at`` that is no
            time.
        UnknownVersionError
            For a ``data_version`` the store never had.
        BatchTooLargeError
            For more starts than ``limits.max_batch_points``.
        UnknownFeatureError, NotInForceError
            For a ``to`` that names no feature, or one not in force at ``at``.
        """
        data = distance_request_schema.load(body)
        moment = self._pin(pinned, data.get("at"), data.get("data_version"))
        start, units = data["from_"], data["units"]
        columnar = isinstance(start, dict) and isinstance(start.get("lat"), list)
        if not isinstance(start, list) and not columnar:
            origin = distances.origin(moment, start, "from")
            return distances.distance_one(moment, origin, data["to"], units)
        count = point_count({"points": start})
        require_batch_size(count, self.limits.max_batch_points, "from")
        note_batch(count)
        if columnar:
            batch = parse_columns(start, "from")
        elif start:
            batch = parse_point_list(start, "from")
        else:
            raise InvalidInputError("from is empty.", {"from": ["Send at least one point."]})
        return distances.distance_batch(moment, batch, data["to"], units, columns=columnar)

    def nearby(self, args: Mapping[str, str]) -> dict[str, Any]:
        """``GET /nearby``: features within a radius of a point or a site.

        Parameters
        ----------
        args : Mapping of str to str
            The query arguments as text, as received.
            ``point`` (``"lat, lon"`` text or a site's id or alias), and optionally ``radius``
            (a length: metres, or text with a unit; default 100 km), ``kind``, ``limit``,
            ``units``, ``at`` and ``data_version``.

        Returns
        -------
        dict
            As :func:`~service.answers.distance.nearby` answers.

        Raises
        ------
        UnknownParametersError
            For a query argument the route does not take.
        marshmallow.ValidationError
            For arguments that do not validate, naming each.
        InvalidInputError
            For an ``at`` that is no time.
        UnknownVersionError
            For a ``data_version`` the store never had.
        InvalidInputError
            Also for a ``point`` that is neither a point nor a site.
        """
        query = load_query(nearby_query_schema, args)
        moment = self.moment(query.get("at"), query.get("data_version"))
        start = distances.origin(moment, query["point"], "point")
        return distances.nearby(
            moment,
            start,
            query["radius"],
            kind=query.get("kind"),
            limit=query["limit"],
            units=query["units"],
        )

    def destination(self, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /destination``: where a start, an azimuth and a length lead.

        Parameters
        ----------
        body : dict
            The JSON body as received: ``from`` (a point or a site's id or alias), ``azimuth``
            (degrees clockwise from north) and ``distance`` (a length: metres, or text with a
            unit).

        Returns
        -------
        dict
            As :func:`~service.answers.distance.destination` answers.

        Raises
        ------
        marshmallow.ValidationError
            For body fields that do not validate, naming each.
        InvalidInputError
            For a ``from`` that is neither a point nor a site.
        GeodesyError
            For an azimuth that is not finite or a negative distance.
        """
        data = destination_request_schema.load(body)
        start = distances.origin(self.moment(), data["from_"], "from")
        return distances.destination(start, data["azimuth"], data["distance"])

    # -- geometry -----------------------------------------------------------------------

    def area(self, body: Any) -> dict[str, Any]:
        """``POST /area``: a GeoJSON Polygon, a Feature of one, or ``{"geometry": …}``.

        Parameters
        ----------
        body : Any
            The JSON body as received: a Polygon or MultiPolygon (positions ``[lon, lat]``,
            degrees), a Feature of one, or ``{"geometry": …}``.

        Returns
        -------
        dict
            As :func:`~service.answers.geometry.area` answers: ``area_m2``, ``area_km2``,
            ``perimeter_m`` and ``model``.

        Raises
        ------
        InvalidInputError
            For a body that is no JSON object.
        marshmallow.ValidationError
            For body fields that do not validate, naming each.
        """
        if isinstance(body, dict) and body.get("type") in ("Polygon", "MultiPolygon"):
            body = {"geometry": body}
        elif isinstance(body, dict) and body.get("type") == "Feature":
            body = {"geometry": body.get("geometry")}
        if not isinstance(body, dict):
            raise InvalidInputError(
                'The body must be a GeoJSON Polygon or {"geometry": …}.',
                {"body": ["Must be an object."]},
            )
        return geometry.area(area_request_schema.load(body)["geometry"])

    def zone_polygon(self, zone_id: str, args: Mapping[str, str]) -> dict[str, Any]:
        """``GET /zones/{id}/polygon``: a zone's display polygon with its measured error.

        Parameters
        ----------
        zone_id : str
            The zone's id or alias, from the URL.
        args : Mapping of str to str
            The query arguments as text, as received.
            Optionally ``max_error_m``, ``at`` (the zone must then be in force) and
            ``data_version``.

        Returns
        -------
        dict
            As :func:`~service.answers.geometry.zone_polygon` answers: a GeoJSON Feature.

        Raises
        ------
        UnknownParametersError
            For a query argument the route does not take.
        marshmallow.ValidationError
            For arguments that do not validate, naming each.
        InvalidInputError
            For an ``at`` that is no time.
        UnknownVersionError
            For a ``data_version`` the store never had.
        UnknownFeatureError, NotAZoneError
            For a ``zone_id`` that names no feature, or no zone.
        NotInForceError
            When ``at`` is given and the zone is not in force then.
        """
        query = load_query(zone_polygon_query_schema, args)
        moment = self.moment(query.get("at"), query.get("data_version"))
        return geometry.zone_polygon(
            moment, zone_id, query["max_error_m"], require_in_force="at" in query
        )

    # -- features -----------------------------------------------------------------------

    def features(self, args: Mapping[str, str]) -> dict[str, Any]:
        """``GET /features``: every feature in force (of one kind) as GeoJSON.

        Parameters
        ----------
        args : Mapping of str to str
            The query arguments as text, as received.
            Optionally ``kind``, ``at`` and ``data_version``.

        Returns
        -------
        dict
            As :func:`~service.answers.features.list_features` answers: a FeatureCollection.

        Raises
        ------
        UnknownParametersError
            For a query argument the route does not take.
        marshmallow.ValidationError
            For arguments that do not validate, naming each.
        InvalidInputError
            For an ``at`` that is no time.
        UnknownVersionError
            For a ``data_version`` the store never had.
        """
        query = load_query(features_query_schema, args)
        moment = self.moment(query.get("at"), query.get("data_version"))
        return feature_answers.list_features(moment, self.documents, query.get("kind"))

    def feature(self, ref: str, args: Mapping[str, str]) -> tuple[dict[str, Any], str]:
        """``GET /features/{id}``: one feature by id or alias, and its entity tag.

        Parameters
        ----------
        ref : str
            The feature's id or alias, from the URL.
        args : Mapping of str to str
            The query arguments as text, as received.
            Optionally ``data_version``.

        Returns
        -------
        feature : dict
            The GeoJSON Feature.
        etag : str
            Its entity tag (for ``ETag``).

        Raises
        ------
        UnknownParametersError
            For a query argument the route does not take.
        marshmallow.ValidationError
            For arguments that do not validate, naming each.
        UnknownVersionError
            For a ``data_version`` the store never had.
        UnknownFeatureError
            For a name no feature has (``feature_id``).
        """
        query = load_query(feature_query_schema, args)
        reference, outage = self._held(query.get("data_version"))
        served, tag = feature_answers.get_feature(reference, self.documents, ref)
        return ({**served, **stale_member(outage)} if outage else served), tag

    def history(self, ref: str, args: Mapping[str, str]) -> dict[str, Any]:
        """``GET /features/{id}/history``: every stored version of a feature.

        Parameters
        ----------
        ref : str
            The feature's id or alias, from the URL.
        args : Mapping of str to str
            The query arguments as text, as received.
            None are taken.

        Returns
        -------
        dict
            As :func:`~service.answers.features.history` answers: ``id`` and ``versions``.

        Raises
        ------
        UnknownParametersError
            For any query argument.
        UnknownFeatureError
            For a feature the store never had (``feature_id``).
        """
        load_query(NO_PARAMETERS, args)
        return feature_answers.history(self.store, self.reference(), ref)

    def written(self, feature_id: str, data_version: int) -> tuple[dict[str, Any], str]:
        """A feature as the write that made ``data_version`` left it, and its entity tag.

        Parameters
        ----------
        feature_id : str
            The feature's canonical id.
        data_version : int
            The data version the write made.

        Returns
        -------
        feature : dict
            The GeoJSON Feature.
        etag : str
            Its entity tag.

        Raises
        ------
        UnknownVersionError
            For a version the store never had.
        UnknownFeatureError
            For a feature not in the reference set at that version (``feature_id``).
        """
        reference = self.reference(data_version)
        return feature_answers.get_feature(reference, self.documents, feature_id)

    def create(self, body: Any, who: str) -> tuple[int, str]:
        """``POST /features``: add a new feature.

        Parameters
        ----------
        body : Any
            The JSON body as received: a GeoJSON Feature with ``properties.id``.
        who : str
            The writer's name, recorded in the history.

        Returns
        -------
        data_version : int
            The data version the write made.
        feature_id : str
            The feature's canonical id.

        Raises
        ------
        InvalidInputError
            For a body that is no valid feature.
        ConflictError
            When a feature with that id exists already.
        ReferenceDataError
            If the reference set after the write would be inconsistent; nothing is written.
        """
        return feature_answers.create(self.store, body, who)

    def replace(self, ref: str, body: Any, who: str, if_match: str | None) -> tuple[int, str]:
        """``PUT /features/{id}``: replace a feature with the body.

        Parameters
        ----------
        ref : str
            The feature's id or alias, from the URL.
        body : Any
            The JSON body as received: the whole new GeoJSON Feature.
        who : str
            The writer's name, recorded in the history.
        if_match : str or None
            The ``If-Match`` header as received, or None.

        Returns
        -------
        data_version : int
            The data version the write made.
        feature_id : str
            The feature's canonical id.

        Raises
        ------
        InvalidInputError
            For a body that is no valid feature or names another id.
        NotFoundError
            When there is no such feature (or it is retired).
        PreconditionFailedError
            When ``if_match`` names a version that is no longer current.
        ReferenceDataError
            If the reference set after the write would be inconsistent; nothing is written.
        """
        return feature_answers.replace(self.store, self.reference(), ref, body, who, if_match)

    def patch(
        self, ref: str, changes: dict[str, Any], who: str, if_match: str | None
    ) -> tuple[int, str]:
        """``PATCH /features/{id}`` with a JSON merge patch.

        Parameters
        ----------
        ref : str
            The feature's id or alias, from the URL.
        changes : dict
            The JSON body as received: an RFC 7396 merge patch of the stored document.
        who : str
            The writer's name, recorded in the history.
        if_match : str or None
            The ``If-Match`` header as received, or None.

        Returns
        -------
        data_version : int
            The data version the write made.
        feature_id : str
            The feature's canonical id.

        Raises
        ------
        NotFoundError
            When there is no such feature (or it is retired).
        InvalidInputError
            When the patched document is no valid feature or changes the id.
        PreconditionFailedError
            When ``if_match`` names a version that is no longer current.
        ReferenceDataError
            If the reference set after the write would be inconsistent; nothing is written.
        """
        return feature_answers.patch(self.store, self.reference(), ref, changes, who, if_match)

    def retire(self, ref: str, who: str, if_match: str | None) -> dict[str, Any]:
        """``DELETE /features/{id}``: retire it; its history stays.

        Parameters
        ----------
        ref : str
            The feature's id or alias, from the URL.
        who : str
            The writer's name, recorded in the history.
        if_match : str or None
            The ``If-Match`` header as received, or None.

        Returns
        -------
        dict
            ``id``, ``retired`` (true), ``version`` and ``data_version``.

        Raises
        ------
        NotFoundError
            When there is no such feature (or it is retired already).
        PreconditionFailedError
            When ``if_match`` names a version that is no longer current.
        ReferenceDataError
            If the reference set after the write would be inconsistent; nothing is written.
        """
        return feature_answers.retire(self.store, self.reference(), ref, who, if_match)

    def import_collection(self, body: Any, who: str) -> dict[str, Any]:
        """``POST /features:import``: a whole FeatureCollection, all or nothing.

        Parameters
        ----------
        body : Any
            The JSON body as received: a GeoJSON FeatureCollection.
        who : str
            The writer's name, recorded in the history.

        Returns
        -------
        dict
            ``data_version`` and ``written`` (each feature's id and its new version).

        Raises
        ------
        BatchTooLargeError
            For more features than ``limits.max_import_features``.
        InvalidInputError
            For a body that is no FeatureCollection, holds no feature, or holds bad features.
        ReferenceDataError
            If the reference set after the import would be inconsistent; nothing is written.
        """
        return feature_answers.import_collection(
            self.store, body, who, self.limits.max_import_features
        )

    def export(self) -> dict[str, Any]:
        """Every feature not retired, as stored, in the form the import takes.

        Returns
        -------
        dict
            A FeatureCollection: ``type``, ``data_version`` and ``features``.
        """
        return feature_answers.export(self.store)


def _database_state(outage: Outage | None) -> dict[str, Any]:
    if outage is None:
        return {"state": "ok"}
    return {"state": "unreachable", **stale_member(outage)["stale"]}


def _point(value: Any, field: str) -> dict[str, Any]:
    try:
        return parse_point(value)
    except ValidationError as err:
        raise point_problem(field, err) from None
