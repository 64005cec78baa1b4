"""The domain model: reference features, zone rules, and name normalisation."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def normalize_name(text: str) -> str:
    """Lookup key for ids, names and aliases: case- and accent-insensitive, with every run
    of spaces, hyphens, apostrophes and other punctuation folded to one hyphen.

    >>> normalize_name("  Al-Tanf ") == normalize_name("al tanf") == normalize_name("AL_TANF")
    True
    >>> normalize_name("Tadmur") == normalize_name("Tádmür")
    True
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = stripped.casefold()
    return re.sub(r"[\W_]+", "-", folded).strip("-")


@dataclass(frozen=True)
class ZoneRule:
    """What a zone means and its shape. Exactly one shape's fields are set:

    * ``circle``: ``centre`` (a site id, or ``(lon, lat)`` degrees) and ``radius_m``;
    * ``corridor``: ``route`` (a route id) and ``half_width_m``;
    * ``polygon``: the zone feature's own Polygon/MultiPolygon geometry, geodesic edges.
    """

    shape: str
    centre: str | tuple[float, float] | None = None
    radius_m: float | None = None
    route: str | None = None
    half_width_m: float | None = None
    edges: str = "geodesic"
    severity: str = "warning"
    message: str = ""
    authority: str | None = None
    announced_on: str | None = None

    def to_dict(self) -> dict[str, Any]:
        centre: Any = self.centre
        if isinstance(centre, tuple):
            centre = {"lon": centre[0], "lat": centre[1]}
        out: dict[str, Any] = {"shape": self.shape}
        if self.shape == "circle":
            out.update(centre=centre, radius_m=self.radius_m)
        elif self.shape == "corridor":
            out.update(route=self.route, half_width_m=self.half_width_m)
        else:
            out.update(edges=self.edges)
        out.update(
            severity=self.severity,
            message=self.message,
            authority=self.authority,
            announced_on=self.announced_on,
        )
        return out


@dataclass(frozen=True)
class Feature:
    """A named reference object with its provenance.

    ``geometry`` is GeoJSON (``[lon, lat]``); ``uncertainty_m`` is how far the true position
    may be from the stored one (metres); validity is the half-open interval
    ``[valid_from, valid_to)`` in UTC, open-ended where ``None``.
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
        """Whether the feature is valid at instant ``at``."""
        if self.valid_from is not None and at < self.valid_from:
            return False
        return self.valid_to is None or at < self.valid_to

    @classmethod
    def from_loaded(cls, data: dict[str, Any]) -> Feature:
        """Build from the output of :data:`schemas.feature.feature_schema` ``.load``."""
        props = data["properties"]
        rule = props.get("zone")
        zone = None
        if rule is not None:
            centre = rule.get("centre")
            if isinstance(centre, dict):
                centre = (centre["lon"], centre["lat"])
            known = {k: v for k, v in rule.items() if k in ZoneRule.__dataclass_fields__}
            zone = ZoneRule(**{**known, "centre": centre})
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
