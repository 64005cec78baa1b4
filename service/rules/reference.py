"""A snapshot of the reference set: lookups by id or alias, validity in time, and the
geometry of every feature and zone, with zone uncertainty inherited from what they follow.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import datetime
from functools import cached_property
from typing import Any

from service.geodesy import GeodesyError
from service.rules.errors import (
    NotAZoneError,
    NotInForceError,
    ReferenceDataError,
    UnknownFeatureError,
)
from service.rules.model import Feature, normalize_name
from service.rules.shapes import SHAPES, Shape, ZoneShape, geometry_shape

__all__ = [
    "NotAZoneError",
    "NotInForceError",
    "ReferenceDataError",
    "ReferenceSet",
    "UnknownFeatureError",
]


class ReferenceSet:
    """Every feature as of one data version. Immutable; build a new one on change.

    Parameters
    ----------
    features : iterable of Feature
        The features; ids must be unique, and no alias may name two features (ids win
        over aliases). Each zone's shape is built through
        :data:`~service.rules.shapes.SHAPES`.
    data_version : int
        The version of the data these features are.

    Raises
    ------
    ReferenceDataError
        Listing every inconsistency at once: an id used twice, an alias two features
        claim, a zone naming a missing site or route, geometry the geodesy rejects.

    Examples
    --------
    >>> from service.rules.model import CircleRule
    >>> palmyra = Feature(
    ...     "palmyra", "Palmyra", "site", {"type": "Point", "coordinates": [38.2672, 34.56]},
    ...     uncertainty_m=50.0, aliases=("Tadmur",),
    ... )
    >>> ring = Feature(
    ...     "palmyra-ring", "Palmyra ring", "zone", None, uncertainty_m=10.0,
    ...     zone=CircleRule(centre="palmyra", radius_m=20_000.0),
    ... )
    >>> reference = ReferenceSet([palmyra, ring], data_version=1)
    >>> reference.resolve("tádmur").id, reference.uncertainty_m(ring)
    ('palmyra', 60.0)
    """

    def __init__(self, features: Iterable[Feature], data_version: int) -> None:
        self.data_version = data_version
        self._features: dict[str, Feature] = {}
        self._names: dict[str, str] = {}
        problems: list[str] = []
        for feature in features:
            if feature.id in self._features:
                problems.append(f"feature {feature.id!r}: the id is used twice")
            self._features[feature.id] = feature
        # Ids win over aliases; an alias two features claim is an error.
        for feature in self._features.values():
            self._names[normalize_name(feature.id)] = feature.id
        for feature in self._features.values():
            for label in (feature.name, *feature.aliases):
                key = normalize_name(label)
                owner = self._names.get(key)
                if owner is None:
                    self._names[key] = feature.id
                elif owner != feature.id and key != normalize_name(owner):
                    problems.append(
                        f"feature {feature.id!r}: alias {label!r} already names {owner!r}"
                    )
        self._shapes: dict[str, Shape] = {}
        self._zone_shapes: dict[str, ZoneShape] = {}
        for feature in self._features.values():
            try:
                self._shapes[feature.id] = self._build_shape(feature)
            except (GeodesyError, ReferenceDataError) as err:
                problems.append(f"feature {feature.id!r}: {err}")
        if problems:
            raise ReferenceDataError(problems)

    # -- lookups ------------------------------------------------------------------------

    def __len__(self) -> int:
        """Number of features."""
        return len(self._features)

    def __contains__(self, ref: object) -> bool:
        """Whether ``ref`` is a string naming a feature (see :meth:`resolve`)."""
        return isinstance(ref, str) and normalize_name(ref) in self._names

    def features(self, kind: str | None = None, at: datetime | None = None) -> list[Feature]:
        """Features in id order, optionally of one kind and in force at one instant.

        Parameters
        ----------
        kind : str or None
            Only features of this kind (``site``, ``route``, ``area``, ``zone``); all
            when ``None``.
        at : datetime or None
            Only features in force at this instant (timezone-aware; see
            :meth:`Feature.in_force`); all when ``None``.

        Returns
        -------
        list of Feature
        """
        return [
            f
            for f in sorted(self._features.values(), key=lambda f: f.id)
            if (kind is None or f.kind == kind) and (at is None or f.in_force(at))
        ]

    def resolve(self, ref: str, field: str | None = None) -> Feature:
        """The feature with this id, name or alias (case- and accent-insensitive).

        Parameters
        ----------
        ref : str
            An id, name or alias; compared as :func:`~service.rules.model.normalize_name`
            folds it.
        field : str or None
            The request field that named it, carried by the error (so a refusal names it).

        Returns
        -------
        Feature
            Whatever its validity in time.

        Raises
        ------
        UnknownFeatureError
            If nothing has that name; it carries the ids of close matches.
        """
        feature_id = self._names.get(normalize_name(ref))
        if feature_id is None:
            raise UnknownFeatureError(ref, self.suggest(ref), field)
        return self._features[feature_id]

    def suggest(self, ref: str, limit: int = 3) -> list[str]:
        """Ids of features whose id, name or alias is close to ``ref``.

        Parameters
        ----------
        ref : str
            A reference that named nothing.
        limit : int
            At most this many ids.

        Returns
        -------
        list of str
            Ids, closest first, each once; empty when nothing is close.
        """
        close = difflib.get_close_matches(normalize_name(ref), self._names, n=10, cutoff=0.6)
        ids: list[str] = []
        for key in close:
            if self._names[key] not in ids:
                ids.append(self._names[key])
        return ids[:limit]

    @cached_property
    def _all_zones(self) -> list[Feature]:
        return self.features(kind="zone")

    def zones(
        self, at: datetime, ids: Iterable[str] | None = None, field: str = "zones"
    ) -> list[Feature]:
        """Zones in force at ``at``: all of them, or those named in ``ids`` (ids, names or
        aliases; each zone once, in the order named).

        Parameters
        ----------
        at : datetime
            The instant (timezone-aware); zones not in force then are left out, named or
            not.
        ids : iterable of str or None
            The zones to keep; all zones when ``None``.
        field : str
            The request field that named them, carried by the errors.

        Returns
        -------
        list of Feature
            In id order when ``ids`` is ``None``, else in the order named.

        Raises
        ------
        UnknownFeatureError
            If a name in ``ids`` names nothing.
        NotAZoneError
            If it names a feature that is not a zone.
        """
        if ids is None:
            return [z for z in self._all_zones if z.in_force(at)]
        chosen = []
        for ref in ids:
            feature = self.resolve(ref, field)
            if feature.kind != "zone":
                raise NotAZoneError(ref, feature.kind, field)
            if feature.in_force(at) and feature not in chosen:
                chosen.append(feature)
        return chosen

    # -- geometry -----------------------------------------------------------------------

    def shape(self, feature: Feature) -> Shape:
        """The geometry of ``feature`` (a site, route, area or zone), for measuring.

        Parameters
        ----------
        feature : Feature
            A feature of this reference set.

        Returns
        -------
        Shape
            A :class:`~service.rules.shapes.ZoneShape` for a zone.

        Raises
        ------
        KeyError
            If ``feature`` is not in this reference set.
        """
        return self._shapes[feature.id]

    def zone_shape(self, zone: Feature) -> ZoneShape:
        """The shape of a zone of this reference set, for verdicts and display.

        Parameters
        ----------
        zone : Feature
            A zone of this reference set.

        Returns
        -------
        ZoneShape
            See :class:`~service.rules.shapes.ZoneShape`.

        Raises
        ------
        NotAZoneError
            If ``zone`` is not a zone.
        """
        shape = self._zone_shapes.get(zone.id)
        if shape is None:
            raise NotAZoneError(zone.id, zone.kind)
        return shape

    def uncertainty_m(self, feature: Feature) -> float:
        """How far (m) the feature's true position may be from the stored one: its own
        uncertainty plus that of the feature its shape follows (a circle's centre site, a
        corridor's route).

        Parameters
        ----------
        feature : Feature
            A feature of this reference set.

        Returns
        -------
        float
            Metres, ≥ 0.

        Raises
        ------
        KeyError
            If ``feature`` is not in this reference set.
        """
        follows = self._shapes[feature.id].follows
        extra = self._features[follows].uncertainty_m if follows is not None else 0.0
        return feature.uncertainty_m + extra

    def circle_centre(self, feature: Feature) -> tuple[float, float] | None:
        """The centre of a zone whose shape has one (a circle's, following its site).

        Parameters
        ----------
        feature : Feature
            Any feature of this reference set.

        Returns
        -------
        tuple of float or None
            ``(lon, lat)`` in degrees, or ``None`` for features that are no zone and zone
            shapes without a centre.
        """
        shape = self._zone_shapes.get(feature.id)
        return shape.centre_point if shape is not None else None

    def _build_shape(self, feature: Feature) -> Shape:
        """The feature's shape: a zone's is built by its shape's entry in
        :data:`~service.rules.shapes.SHAPES` (and kept among the zone shapes), any other's
        from its geometry."""
        rule = feature.zone
        if rule is not None:
            zone = SHAPES[rule.shape].build(rule, feature, self._geometry_of)
            self._zone_shapes[feature.id] = zone
            return zone
        if feature.geometry is None:
            raise ReferenceDataError([f"a {feature.kind} needs a geometry"])
        return geometry_shape(feature.geometry)

    def _geometry_of(self, ref: str, kind: str, field: str) -> dict[str, Any]:
        """The geometry of the feature a zone refers to in ``zone.<field>`` (see
        :data:`~service.rules.shapes.Lookup`)."""
        target = self._features.get(ref)
        if target is None or target.kind != kind:
            raise ReferenceDataError([f"zone.{field} {ref!r} is not a {kind} id"])
        if target.geometry is None:
            raise ReferenceDataError([f"zone.{field} {ref!r} has no geometry"])
        return target.geometry
