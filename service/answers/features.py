"""Reference features: reading them as GeoJSON, their history, and versioned writes.

Reads take a :class:`~service.answers.Moment`; writes take the store, the writer's name
(what the history records) and, for changes to one feature, the version the writer last
read (``If-Match``), so a concurrent change is refused rather than lost. Every write is
validated by the same schemas as the shipped data, and the store checks the whole reference
set before it commits.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from marshmallow import ValidationError

from schemas.base import flatten_messages, format_instant
from schemas.feature import storable
from service.answers import Moment, stale_member
from service.answers.errors import BatchTooLargeError, InvalidInputError
from service.answers.geometry import zone_display_geometry
from service.rules.model import Feature
from service.rules.reference import ReferenceSet
from service.store.errors import NotFoundError
from service.store.seed import documents_from_collection
from service.store.sql import Change

if TYPE_CHECKING:
    from service.store.sql import SqlStore

#: Most memoised GeoJSON features per cache (display polygons are costly to build).
MEMO_LIMIT = 4096


def etag(feature_id: str, version: int, data_version: int) -> str:
    """Strong entity tag of a feature as served: its own version (what ``If-Match``
    compares) and the store's data version (a zone's served shape also changes when the
    site it follows moves, so caches must see a new tag then too).

    Parameters
    ----------
    feature_id : str
        The feature's canonical id.
    version : int
        The feature's own version.
    data_version : int
        The store's version it is served at.

    Returns
    -------
    str
        The tag, quotes included: ``"id.version.data_version"``.

    Examples
    --------
    >>> etag("palmyra", 3, 17)
    '"palmyra.3.17"'
    """
    return f'"{feature_id}.{version}.{data_version}"'


def feature_geojson(
    reference: ReferenceSet, feature: Feature, display_max_error_m: float = 10.0
) -> dict[str, Any]:
    """A feature as a GeoJSON Feature; zones carry a display polygon (whose measured error
    is ``properties.zone.display_max_error_m``) as geometry and their exact definition in
    ``properties.zone``.

    Parameters
    ----------
    reference : ReferenceSet
        The reference set the feature belongs to (for effective uncertainties and the site
        a zone follows).
    feature : Feature
        The feature.
    display_max_error_m : float
        Largest distance (m) a zone's display polygon may stray from its exact boundary.

    Returns
    -------
    dict
        ``type``, ``id``, ``geometry`` (``[lon, lat]`` positions) and ``properties``: ``id``,
        ``name``, ``aliases``, ``kind``, ``uncertainty_m``, ``effective_uncertainty_m``,
        ``sources``, ``valid_from`` and ``valid_to`` (RFC 3339 or null), ``notes``,
        ``properties``, ``version`` and, for zones, ``zone`` (the rule, with
        ``centre_point`` ``{"lon", "lat"}`` for circles and ``display_max_error_m``).
    """
    props: dict[str, Any] = {
        "id": feature.id,
        "name": feature.name,
        "aliases": list(feature.aliases),
        "kind": feature.kind,
        "uncertainty_m": feature.uncertainty_m,
        "effective_uncertainty_m": reference.uncertainty_m(feature),
        "sources": [dict(s) for s in feature.sources],
        "valid_from": format_instant(feature.valid_from) if feature.valid_from else None,
        "valid_to": format_instant(feature.valid_to) if feature.valid_to else None,
        "notes": feature.notes,
        "properties": dict(feature.properties),
        "version": feature.version,
    }
    geometry = feature.geometry
    if feature.zone is not None:
        rule = feature.zone.to_dict()
        centre = reference.circle_centre(feature)
        if centre is not None:
            rule["centre_point"] = {"lon": centre[0], "lat": centre[1]}
        geometry, error = zone_display_geometry(reference, feature, display_max_error_m)
        rule["display_max_error_m"] = error
        props["zone"] = rule
    return {"type": "Feature", "id": feature.id, "geometry": geometry, "properties": props}


class FeatureDocuments:
    """GeoJSON of features as served, memoised per data version (features are immutable
    within one, and zones' display polygons are worth building once).

    Parameters
    ----------
    display_max_error_m : float
        Largest distance (m) a zone's display polygon may stray from its exact boundary.
    limit : int
        The most features memoised; the memo is emptied when full.
    """

    def __init__(self, display_max_error_m: float, limit: int = MEMO_LIMIT) -> None:
        self.display_max_error_m = display_max_error_m
        self.limit = limit
        self._memo: dict[tuple[int, str], dict[str, Any]] = {}

    def of(self, reference: ReferenceSet, feature: Feature) -> dict[str, Any]:
        """The GeoJSON Feature of ``feature`` as of ``reference``'s data version.

        Parameters
        ----------
        reference : ReferenceSet
            The reference set the feature belongs to.
        feature : Feature
            The feature.

        Returns
        -------
        dict
            As :func:`feature_geojson` builds it (shared: callers must not change it).
        """
        key = (reference.data_version, feature.id)
        served = self._memo.get(key)
        if served is None:
            served = feature_geojson(reference, feature, self.display_max_error_m)
            if len(self._memo) >= self.limit:
                self._memo.clear()
            self._memo[key] = served
        return served


def list_features(
    moment: Moment, documents: FeatureDocuments, kind: str | None = None
) -> dict[str, Any]:
    """Every feature in force at the moment (of one ``kind``, if given), in id order.

    Parameters
    ----------
    moment : Moment
        The reference set and instant asked about.
    documents : FeatureDocuments
        The memo the GeoJSON is taken from.
    kind : str or None
        Only features of this kind (``site``, ``route``, ``zone``, ``area``), or all.

    Returns
    -------
    dict
        A FeatureCollection: ``type``, ``features`` (as :func:`feature_geojson`),
        ``numberReturned`` and ``data_version``.
    """
    features = [
        documents.of(moment.reference, f)
        for f in moment.reference.features(kind=kind, at=moment.at)
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "numberReturned": len(features),
        "data_version": moment.data_version,
        **stale_member(moment.stale),
    }


def get_feature(
    reference: ReferenceSet, documents: FeatureDocuments, ref: str
) -> tuple[dict[str, Any], str]:
    """One feature by id or alias (whatever its validity), and its entity tag.

    Parameters
    ----------
    reference : ReferenceSet
        The reference set to read it from.
    documents : FeatureDocuments
        The memo the GeoJSON is taken from.
    ref : str
        The feature's id or alias.

    Returns
    -------
    feature : dict
        The GeoJSON Feature (as :func:`feature_geojson`).
    etag : str
        Its entity tag (:func:`etag`).

    Raises
    ------
    UnknownFeatureError
        For a name no feature has (``feature_id``, with close matches).
    """
    feature = reference.resolve(ref, "feature_id")
    return documents.of(reference, feature), etag(
        feature.id, feature.version, reference.data_version
    )


def version_named(if_match: str | None, feature_id: str) -> int | None:
    """The version of ``feature_id`` an ``If-Match`` header names: None when there is no
    header or it is ``*`` (any version); -1, which no version has, when it holds only tags
    of other features or in other forms (so the write is refused as stale).

    Parameters
    ----------
    if_match : str or None
        The ``If-Match`` header as received: ``*`` or entity tags (strong or ``W/``),
        comma-separated.
    feature_id : str
        The feature's canonical id.

    Returns
    -------
    int or None
        The version named, None for any, or -1.

    Examples
    --------
    >>> version_named('"palmyra.3.17"', "palmyra")
    3
    >>> version_named('W/"homs.1.2", "palmyra.4"', "palmyra")
    4
    >>> version_named("*", "palmyra") is None
    True
    >>> version_named('"homs.1.2"', "palmyra")
    -1
    """
    if if_match is None or if_match.strip() == "*":
        return None
    for tag in (t.strip() for t in if_match.split(",")):
        match = re.fullmatch(r'(?:W/)?"([^".]+)\.(\d+)(?:\.\d+)?"', tag)
        if match and match.group(1) == feature_id:
            return int(match.group(2))
    return -1


def canonical_id(reference: ReferenceSet, ref: str) -> str:
    """Writes address features by id or alias; history keeps the canonical id.

    Parameters
    ----------
    reference : ReferenceSet
        The current reference set.
    ref : str
        An id or alias.

    Returns
    -------
    str
        The id of the feature ``ref`` names, or ``ref`` itself when it names none (a retired
        or new feature).
    """
    return reference.resolve(ref).id if ref in reference else ref


def history(store: SqlStore, reference: ReferenceSet, ref: str) -> dict[str, Any]:
    """Every stored version of a feature, oldest first, retired ones included.

    Parameters
    ----------
    store : SqlStore
        The store to read the history from.
    reference : ReferenceSet
        The current reference set (to resolve an alias).
    ref : str
        The feature's id or alias.

    Returns
    -------
    dict
        ``id`` and ``versions``, each with ``version``, ``data_version``, ``retired``,
        ``written_by``, ``written_at`` (RFC 3339), ``etag`` and ``feature`` (the document
        as stored).

    Raises
    ------
    UnknownFeatureError
        When the store has no version of it and ``ref`` names no feature
        (``feature_id``, with close matches).
    """
    feature_id = canonical_id(reference, ref)
    records = store.history(feature_id)
    if not records:
        reference.resolve(ref, "feature_id")  # raises UnknownFeatureError, close matches
    versions = [
        {
            "version": r.version,
            "data_version": r.data_version,
            "retired": r.retired,
            "written_by": r.written_by,
            "written_at": format_instant(r.written_at),
            "etag": etag(r.feature_id, r.version, r.data_version),
            "feature": r.document,
        }
        for r in records
    ]
    return {"id": feature_id, "versions": versions}


def _document(body: Any, path_id: str | None = None) -> dict[str, Any]:
    """A feature to store, validated; its id must be ``path_id`` when one is given."""
    if not isinstance(body, dict):
        raise InvalidInputError(
            "The body must be a GeoJSON Feature.", {"body": ["Must be an object."]}
        )
    try:
        document = storable(body)
    except ValidationError as err:
        errors = flatten_messages(err.messages)
        raise InvalidInputError(
            f"The feature has invalid fields: {', '.join(errors)}.", errors
        ) from None
    given = document["properties"]["id"]
    if path_id is not None and given != path_id:
        raise InvalidInputError(
            f"properties.id {given!r} does not match the URL ({path_id!r}).",
            {"properties.id": ["Must match the id in the URL; ids cannot be renamed."]},
        )
    return document


def create(store: SqlStore, body: Any, who: str) -> tuple[int, str]:
    """Add a new feature.

    Parameters
    ----------
    store : SqlStore
        The store to write to.
    body : Any
        The JSON body as received: a GeoJSON Feature with ``properties.id``.
    who : str
        The writer's name, recorded in the history.

    Returns
    -------
    data_version : int
        The data version the write made.
    feature_id : str
        The new feature's id.

    Raises
    ------
    InvalidInputError
        For a body that is no valid feature (each bad field named).
    ConflictError
        When a feature with that id exists already.
    ReferenceDataError
        If the reference set after the write would be inconsistent (a zone would follow a
        missing site, two features would claim one alias…); nothing is written.
    """
    document = _document(body)
    feature_id = document["properties"]["id"]
    version, _ = store.write([Change(feature_id, document, "create")], who, f"create {feature_id}")
    return version, feature_id


def replace(
    store: SqlStore, reference: ReferenceSet, ref: str, body: Any, who: str, if_match: str | None
) -> tuple[int, str]:
    """Replace a feature (by id or alias) with ``body``.

    Parameters
    ----------
    store : SqlStore
        The store to write to.
    reference : ReferenceSet
        The current reference set (to resolve an alias).
    ref : str
        The feature's id or alias, from the URL.
    body : Any
        The JSON body as received: the whole new GeoJSON Feature, whose ``properties.id``
        must be the feature's id.
    who : str
        The writer's name, recorded in the history.
    if_match : str or None
        The ``If-Match`` header as received (the version the writer read; see
        :func:`version_named`), or None to write whatever the current version.

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
        When ``if_match`` names a version that is no longer current (``If-Match``).
    ReferenceDataError
        If the reference set after the write would be inconsistent (a zone would follow a
        missing site, two features would claim one alias…); nothing is written.
    """
    feature_id = canonical_id(reference, ref)
    document = _document(body, feature_id)
    change = Change(feature_id, document, "replace", version_named(if_match, feature_id))
    version, _ = store.write([change], who, f"replace {feature_id}")
    return version, feature_id


def merge_patch(target: Any, patch: Any) -> Any:
    """``patch`` applied to ``target`` as an RFC 7396 JSON merge patch (null removes).

    Parameters
    ----------
    target : Any
        The JSON value to change (not modified).
    patch : Any
        The merge patch: an object merges member by member, ``None`` removes a member, any
        other value replaces.

    Returns
    -------
    Any
        The patched value.

    Examples
    --------
    >>> merge_patch({"a": 1, "b": {"c": 2, "d": 3}}, {"b": {"c": None, "e": 4}, "f": 5})
    {'a': 1, 'b': {'d': 3, 'e': 4}, 'f': 5}
    >>> merge_patch({"a": [1, 2]}, {"a": [3]})
    {'a': [3]}
    """
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def patch(
    store: SqlStore,
    reference: ReferenceSet,
    ref: str,
    changes: dict[str, Any],
    who: str,
    if_match: str | None,
) -> tuple[int, str]:
    """Apply a JSON merge patch to a feature's stored document.

    Parameters
    ----------
    store : SqlStore
        The store to read the current document from and write to.
    reference : ReferenceSet
        The current reference set (to resolve an alias).
    ref : str
        The feature's id or alias, from the URL.
    changes : dict
        The JSON body as received: an RFC 7396 merge patch (see :func:`merge_patch`).
    who : str
        The writer's name, recorded in the history.
    if_match : str or None
        The ``If-Match`` header as received (the version the writer read; see
        :func:`version_named`), or None to write whatever the current version.

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
        When ``if_match`` names a version that is no longer current (``If-Match``).
    ReferenceDataError
        If the reference set after the write would be inconsistent (a zone would follow a
        missing site, two features would claim one alias…); nothing is written.
    """
    feature_id = canonical_id(reference, ref)
    records = store.history(feature_id)
    if not records or records[-1].retired:
        raise NotFoundError(f"No feature {feature_id!r} to change.", "feature_id")
    document = _document(merge_patch(records[-1].document, changes), feature_id)
    change = Change(feature_id, document, "replace", version_named(if_match, feature_id))
    version, _ = store.write([change], who, f"patch {feature_id}")
    return version, feature_id


def retire(
    store: SqlStore, reference: ReferenceSet, ref: str, who: str, if_match: str | None
) -> dict[str, Any]:
    """Retire a feature (its history stays).

    Parameters
    ----------
    store : SqlStore
        The store to write to.
    reference : ReferenceSet
        The current reference set (to resolve an alias).
    ref : str
        The feature's id or alias, from the URL.
    who : str
        The writer's name, recorded in the history.
    if_match : str or None
        The ``If-Match`` header as received (the version the writer read; see
        :func:`version_named`), or None to write whatever the current version.

    Returns
    -------
    dict
        ``id``, ``retired`` (true), ``version`` (the retiring version) and ``data_version``.

    Raises
    ------
    NotFoundError
        When there is no such feature (or it is retired already).
    PreconditionFailedError
        When ``if_match`` names a version that is no longer current (``If-Match``).
    ReferenceDataError
        If the reference set after the write would be inconsistent (a zone would follow a
        missing site, two features would claim one alias…); nothing is written.
    """
    feature_id = canonical_id(reference, ref)
    change = Change(feature_id, None, "replace", version_named(if_match, feature_id))
    version, versions = store.write([change], who, f"retire {feature_id}")
    return {
        "id": feature_id,
        "retired": True,
        "version": versions[feature_id],
        "data_version": version,
    }


def import_collection(
    store: SqlStore, body: Any, who: str, max_features: int | None = None
) -> dict[str, Any]:
    """Add or replace every feature of a FeatureCollection in one transaction, all or
    nothing; every bad feature is named (``feature 'id'`` or ``feature #index``).

    Parameters
    ----------
    store : SqlStore
        The store to write to.
    body : Any
        The JSON body as received: a GeoJSON FeatureCollection.
    who : str
        The writer's name, recorded in the history.
    max_features : int or None
        The most features one import may carry, or None for no limit.

    Returns
    -------
    dict
        ``data_version`` (the one the write made) and ``written`` (each feature's id and its
        new version).

    Raises
    ------
    BatchTooLargeError
        For more than ``max_features`` features.
    InvalidInputError
        For a body that is no FeatureCollection, holds no feature, or holds bad features.
    ReferenceDataError
        If the reference set after the write would be inconsistent (a zone would follow a
        missing site, two features would claim one alias…); nothing is written.
    """
    features = body.get("features") if isinstance(body, dict) else None
    if max_features is not None and isinstance(features, list) and len(features) > max_features:
        raise BatchTooLargeError(len(features), max_features, "features", "features")
    documents, problems = documents_from_collection(body, "import")
    if problems:
        errors: dict[str, list[str]] = {}
        for line in problems:
            where, _, message = line.removeprefix("import: ").partition(": ")
            errors.setdefault(where, []).append(message)
        raise InvalidInputError(
            f"{len(problems)} problem(s) in the import; nothing was written.", errors
        )
    if not documents:
        raise InvalidInputError("The collection holds no features.", {"features": ["Empty."]})
    batch = [Change(d["properties"]["id"], d, "upsert") for d in documents]
    version, versions = store.write(batch, who, f"import {len(batch)} features")
    return {"data_version": version, "written": versions}


def export(store: SqlStore) -> dict[str, Any]:
    """Every feature not retired, as stored (whatever its validity interval): a
    FeatureCollection that :func:`import_collection` takes back.

    Parameters
    ----------
    store : SqlStore
        The store to read.

    Returns
    -------
    dict
        ``type`` (FeatureCollection), ``data_version`` and ``features`` (the documents as
        stored).
    """
    reference = store.snapshot()
    documents = [store.history(f.id)[-1].document for f in reference.features()]
    return {
        "type": "FeatureCollection",
        "data_version": reference.data_version,
        "features": documents,
    }
