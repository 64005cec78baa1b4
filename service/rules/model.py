"""The domain model: reference features, zone rules, and name normalisation."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar, Self, TypeAlias


def normalize_name(text: str) -> str:
    """Lookup key for ids, names and aliases: case- and accent-insensitive, with every run
    of spaces, hyphens, apostrophes and other punctuation folded to one hyphen.

    Parameters
    ----------
    text : str
        An id, name or alias as given.

    Returns
    -------
    str
        The key: accents removed, case folded, punctuation runs as single hyphens, no
        hyphen at either end.

    Examples
    --------
    >>> normalize_name("  Al-Tanf ")
    'al-tanf'
    >>> normalize_name("  Al-Tanf ") == normalize_name("al tanf") == normalize_name("AL_TANF")
    True
    >>> normalize_name("Tadmur") == normalize_name("Tádmür")
    True
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = stripped.casefold()
    return re.sub(r"[\W_]+", "-", folded).strip("-")


@dataclass(frozen=True, kw_only=True)
class RuleMeaning:
    """What a zone means, whatever its shape: the part every rule variant shares.

    Parameters
    ----------
    severity : str
        ``info``, ``warning`` or ``critical``.
    message : str
        What a point inside the zone should be told.
    authority : str or None
        Who declared the zone.
    announced_on : str or None
        When it was announced (a date as reported).
    """

    #: The variant's tag: the shape's name in the wire format and in :data:`SHAPES`.
    shape: ClassVar[str]

    severity: str = "warning"
    message: str = ""
    authority: str | None = None
    announced_on: str | None = None

    @classmethod
    def from_loaded(cls, data: dict[str, Any]) -> Self:
        """The rule from ``properties.zone`` as :data:`schemas.feature.feature_schema` loads
        it; fields of other shapes (which the wire format accepts) are left out.

        Parameters
        ----------
        data : dict
            The loaded ``properties.zone`` object (already validated by the schema).

        Returns
        -------
        RuleMeaning
            An instance of the class it is called on.

        Raises
        ------
        TypeError
            If a required field of the variant is missing (the schema rejects that
            first).
        """
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def _meaning(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "message": self.message,
            "authority": self.authority,
            "announced_on": self.announced_on,
        }


@dataclass(frozen=True, kw_only=True)
class CircleRule(RuleMeaning):
    """A circle zone: every point within ``radius_m`` (geodesic metres) of ``centre``.

    Parameters
    ----------
    centre : str or tuple of float
        A site id (the circle follows that site, and inherits its uncertainty) or
        ``(lon, lat)`` in degrees.
    radius_m : float
        Geodesic radius (m).
    severity, message, authority, announced_on
        As for :class:`RuleMeaning`.

    Examples
    --------
    >>> CircleRule(centre=(38.6178, 33.5058), radius_m=55_000.0).to_dict()["centre"]
    {'lon': 38.6178, 'lat': 33.5058}
    """

    shape: ClassVar[str] = "circle"

    centre: str | tuple[float, float]
    radius_m: float

    @classmethod
    def from_loaded(cls, data: dict[str, Any]) -> Self:
        """As :meth:`RuleMeaning.from_loaded`; a ``{lat, lon}`` centre becomes ``(lon, lat)``.

        Parameters
        ----------
        data : dict
            The loaded ``properties.zone`` object; ``centre`` is a site id or a
            ``{"lon": ..., "lat": ...}`` object (degrees).

        Returns
        -------
        CircleRule

        Raises
        ------
        KeyError
            If ``data`` has no ``centre`` (the schema rejects that first).

        Examples
        --------
        >>> rule = CircleRule.from_loaded(
        ...     {"shape": "circle", "centre": {"lat": 33.5, "lon": 38.6}, "radius_m": 9.0}
        ... )
        >>> rule.centre, rule.severity
        ((38.6, 33.5), 'warning')
        """
        centre = data["centre"]
        if isinstance(centre, dict):
            centre = (centre["lon"], centre["lat"])
        return super().from_loaded({**data, "centre": centre})

    def to_dict(self) -> dict[str, Any]:
        """The rule in the wire format (``properties.zone``).

        Returns
        -------
        dict
            ``shape``, ``centre`` (a site id or ``{"lon", "lat"}`` in degrees),
            ``radius_m`` and the meaning fields.
        """
        centre: Any = self.centre
        if isinstance(centre, tuple):
            centre = {"lon": centre[0], "lat": centre[1]}
        return {"shape": self.shape, "centre": centre, "radius_m": self.radius_m, **self._meaning()}


@dataclass(frozen=True, kw_only=True)
class CorridorRule(RuleMeaning):
    """A corridor zone: every point within ``half_width_m`` (geodesic metres) of a route.

    Parameters
    ----------
    route : str
        Id of the route, which the corridor follows (and whose uncertainty it inherits).
    half_width_m : float
        Geodesic half-width (m) either side of the route.
    severity, message, authority, announced_on
        As for :class:`RuleMeaning`.
    """

    shape: ClassVar[str] = "corridor"

    route: str
    half_width_m: float

    def to_dict(self) -> dict[str, Any]:
        """The rule in the wire format (``properties.zone``).

        Returns
        -------
        dict
            ``shape``, ``route``, ``half_width_m`` and the meaning fields.
        """
        return {
            "shape": self.shape,
            "route": self.route,
            "half_width_m": self.half_width_m,
            **self._meaning(),
        }


@dataclass(frozen=True, kw_only=True)
class PolygonRule(RuleMeaning):
    """A polygon zone: the zone feature's own Polygon or MultiPolygon geometry.

    Parameters
    ----------
    edges : str
        How the edges run between vertices: only ``geodesic`` today.
    severity, message, authority, announced_on
        As for :class:`RuleMeaning`.
    """

    shape: ClassVar[str] = "polygon"

    edges: str = "geodesic"

    def to_dict(self) -> dict[str, Any]:
        """The rule in the wire format (``properties.zone``).

        Returns
        -------
        dict
            ``shape``, ``edges`` and the meaning fields.
        """
        return {"shape": self.shape, "edges": self.edges, **self._meaning()}


#: What a zone means and its shape: one variant per shape, told apart by ``shape``. The
#: variants are registered with their shapes in :data:`service.rules.shapes.SHAPES`.
ZoneRule: TypeAlias = CircleRule | CorridorRule | PolygonRule


def zone_rule(data: dict[str, Any]) -> ZoneRule:
    """The rule variant for ``properties.zone`` as the feature schema loads it.

    Parameters
    ----------
    data : dict
        The loaded ``properties.zone`` object; ``shape`` picks the variant from
        :data:`service.rules.shapes.SHAPES`.

    Returns
    -------
    ZoneRule
        A :class:`CircleRule`, :class:`CorridorRule` or :class:`PolygonRule`.

    Raises
    ------
    KeyError
        If ``shape`` is missing or names no registered shape (the schema rejects both
        first).

    Examples
    --------
    >>> rule = zone_rule({"shape": "corridor", "route": "m5", "half_width_m": 5_000.0})
    >>> type(rule).__name__, rule.route, rule.half_width_m
    ('CorridorRule', 'm5', 5000.0)
    """
    # The registry imports this module for the variants, so it is looked up here, late.
    from service.rules.shapes import SHAPES

    rule: ZoneRule = SHAPES[data["shape"]].rule.from_loaded(data)
    return rule


@dataclass(frozen=True)
class Feature:
    """A named reference object with its provenance.

    Parameters
    ----------
    id : str
        A slug (``palmyra``); lookups also go by ``name`` and ``aliases``, ignoring case,
        accents and punctuation (see :func:`normalize_name`).
    name : str
        The name to show.
    kind : str
        ``site`` (a Point), ``route`` (a LineString or MultiLineString), ``area`` (a
        Polygon or MultiPolygon) or ``zone`` (a rule; see ``zone``).
    geometry : dict or None
        GeoJSON, positions ``[lon, lat]`` in degrees; a circle or corridor zone has none.
    uncertainty_m : float
        How far (m) the true position may be from the stored one; a zone adds that of
        the feature its shape follows.
    aliases : tuple of str
        Other names it is known by.
    sources : tuple of dict
        Where the facts came from (``title``, ``url``, ``date``, ``quote``).
    valid_from, valid_to : datetime or None
        Validity, the half-open interval ``[valid_from, valid_to)`` in UTC, open-ended
        where ``None``.
    notes : str or None
        Free text.
    properties : dict
        Free properties, kept as given.
    zone : ZoneRule or None
        A zone's rule: one of :class:`CircleRule`, :class:`CorridorRule`,
        :class:`PolygonRule`.
    version : int
        The feature's version in the store.
    """

    id: str
    name: str
    kind: str
    geometry: dict[str, Any] | None
    uncertainty_m: float = 0.0
    aliases: tuple[str, ...] = ()
    sources: tuple[dict[str, Any], ...] = ()
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    notes: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    zone: ZoneRule | None = None
    version: int = 1

    def in_force(self, at: datetime) -> bool:
        """Whether the feature is valid at an instant: in the half-open interval
        ``[valid_from, valid_to)``, open-ended where a bound is ``None``.

        Parameters
        ----------
        at : datetime
            The instant, timezone-aware (comparing it with aware bounds otherwise raises
            :class:`TypeError`).

        Returns
        -------
        bool

        Examples
        --------
        >>> from datetime import UTC, datetime
        >>> end = datetime(2026, 1, 1, tzinfo=UTC)
        >>> site = Feature("palmyra", "Palmyra", "site", None, valid_to=end)
        >>> site.in_force(datetime(2025, 6, 1, tzinfo=UTC)), site.in_force(end)
        (True, False)
        """
        if self.valid_from is not None and at < self.valid_from:
            return False
        return self.valid_to is None or at < self.valid_to

    @classmethod
    def from_loaded(cls, data: dict[str, Any]) -> Feature:
        """Build from the output of :data:`schemas.feature.feature_schema` ``.load``.

        Parameters
        ----------
        data : dict
            A loaded GeoJSON Feature: ``geometry`` and ``properties`` (with ``id``,
            ``name``, ``kind`` and the optional fields; ``zone`` as :func:`zone_rule`
            takes it).

        Returns
        -------
        Feature

        Raises
        ------
        KeyError
            If ``properties`` or one of ``id``, ``name``, ``kind`` is missing (the schema
            rejects that first).
        """
        props = data["properties"]
        rule = props.get("zone")
        zone = zone_rule(rule) if rule is not None else None
        return cls(
            id=props["id"],
            name=props["name"],
            kind=props["kind"],
            geometry=data.get("geometry"),
            uncertainty_m=float(props.get("uncertainty_m") or 0.0),
            aliases=tuple(props.get("aliases") or ()),
            sources=tuple(props.get("sources") or ()),
            valid_from=props.get("valid_from"),
            valid_to=props.get("valid_to"),
            notes=props.get("notes"),
            properties=dict(props.get("properties") or {}),
            zone=zone,
            version=int(props.get("version") or 1),
        )
