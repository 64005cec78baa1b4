"""Reference features and zones: the format of ``geodata/*.geojson`` and of ``/features``.

A feature is a GeoJSON Feature whose ``properties`` carry its provenance; a zone also
carries its rule in ``properties.zone``.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from schemas.base import DataVersion, FiniteFloat, Instant, StrictSchema
from schemas.geometry import Geometry

KINDS = ("site", "route", "area", "zone")
SHAPES = ("circle", "corridor", "polygon")
SEVERITIES = ("info", "warning", "critical")
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_RADIUS_M = 10_001_965.0

#: Which geometry types each kind of feature may have.
GEOMETRY_FOR_KIND = {
    "site": ("Point",),
    "route": ("LineString", "MultiLineString"),
    "area": ("Polygon", "MultiPolygon"),
    "zone": ("Polygon", "MultiPolygon", "Point", None),
}


class SourceSchema(StrictSchema):
    """Where a fact came from."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=500))
    url = fields.Url(load_default=None, allow_none=True)
    date = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    quote = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class PointSchema(StrictSchema):
    lat = FiniteFloat(required=True, validate=validate.Range(-90, 90))
    lon = FiniteFloat(required=True, validate=validate.Range(-180, 180))


class CentreField(fields.Field):
    """A circle's centre: a site id (the circle follows that site) or ``{lat, lon}``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            return value
        if isinstance(value, dict):
            return PointSchema().load(value)
        raise ValidationError('Must be a site id or an object {"lat": …, "lon": …}.')

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


class ZoneRuleSchema(StrictSchema):
    """The rule of a zone: its shape and what it means."""

    shape = fields.String(required=True, validate=validate.OneOf(SHAPES))
    centre = CentreField(load_default=None, allow_none=True)
    radius_m = FiniteFloat(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0, max=MAX_RADIUS_M, min_inclusive=False),
    )
    route = fields.String(load_default=None, allow_none=True)
    half_width_m = FiniteFloat(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0, max=1_000_000, min_inclusive=False),
    )
    edges = fields.String(load_default="geodesic", validate=validate.OneOf(("geodesic",)))
    severity = fields.String(load_default="warning", validate=validate.OneOf(SEVERITIES))
    message = fields.String(load_default="", validate=validate.Length(max=2000))
    authority = fields.String(load_default=None, allow_none=True)
    announced_on = fields.String(load_default=None, allow_none=True)
    # Read-only fields the service adds to served zones; accepted and dropped.
    centre_point = fields.Dict(load_default=None, allow_none=True)
    display_max_error_m = fields.Float(load_default=None, allow_none=True)

    @validates_schema
    def _shape_needs(self, data: dict[str, Any], **kwargs: Any) -> None:
        shape = data["shape"]
        if shape == "circle":
            missing = [k for k in ("centre", "radius_m") if data.get(k) is None]
            if missing:
                raise ValidationError(
                    {k: ["A circle zone needs a centre and radius_m."] for k in missing}
                )
        if shape == "corridor":
            missing = [k for k in ("route", "half_width_m") if data.get(k) is None]
            if missing:
                raise ValidationError(
                    {k: ["A corridor zone needs a route id and half_width_m."] for k in missing}
                )


class FeaturePropertiesSchema(StrictSchema):
    id = fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=100),
            validate.Regexp(SLUG, error="Must be a slug: lower-case letters, digits, hyphens."),
        ],
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    aliases = fields.List(
        fields.String(validate=validate.Length(min=1, max=300)), load_default=list
    )
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    uncertainty_m = FiniteFloat(load_default=0.0, validate=validate.Range(min=0, max=1e7))
    sources = fields.List(fields.Nested(SourceSchema), load_default=list)
    valid_from = Instant(load_default=None, allow_none=True)
    valid_to = Instant(load_default=None, allow_none=True)
    notes = fields.String(load_default=None, allow_none=True)
    properties = fields.Dict(keys=fields.String(), load_default=dict)
    zone = fields.Nested(ZoneRuleSchema, load_default=None, allow_none=True)
    # Read-only fields the service adds; accepted (and dropped) so served features round-trip.
    version = fields.Integer(load_default=None, allow_none=True)
    effective_uncertainty_m = fields.Float(load_default=None, allow_none=True)

    @validates_schema
    def _kind_rules(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["kind"] == "zone" and data.get("zone") is None:
            raise ValidationError({"zone": ["A zone needs its rule in properties.zone."]})
        if data["kind"] != "zone" and data.get("zone") is not None:
            raise ValidationError({"zone": ["Only features of kind 'zone' carry a rule."]})
        start, end = data.get("valid_from"), data.get("valid_to")
        if start is not None and end is not None and end <= start:
            raise ValidationError({"valid_to": ["valid_to must be after valid_from."]})


class FeatureSchema(StrictSchema):
    """A GeoJSON Feature with geocheck's properties."""

    type = fields.String(required=True, validate=validate.Equal("Feature"))
    id = fields.String(load_default=None, allow_none=True)
    geometry = Geometry(required=True, allow_none=True)
    properties = fields.Nested(FeaturePropertiesSchema, required=True)
    bbox = fields.List(FiniteFloat(), load_default=None, allow_none=True)

    @validates_schema
    def _geometry_fits_kind(self, data: dict[str, Any], **kwargs: Any) -> None:
        props = data["properties"]
        geometry = data.get("geometry")
        gtype = geometry["type"] if geometry else None
        allowed = GEOMETRY_FOR_KIND[props["kind"]]
        if gtype not in allowed:
            names = ", ".join(t or "null" for t in allowed)
            raise ValidationError(
                {"geometry": [f"A {props['kind']} needs geometry of type {names}."]}
            )
        rule = props.get("zone")
        if rule and rule["shape"] == "polygon" and gtype not in ("Polygon", "MultiPolygon"):
            raise ValidationError({"geometry": ["A polygon zone needs Polygon geometry."]})
        if data.get("id") is not None and data["id"] != props["id"]:
            raise ValidationError({"id": ["Feature id and properties.id must match."]})


class FeatureCollectionSchema(StrictSchema):
    type = fields.String(required=True, validate=validate.Equal("FeatureCollection"))
    name = fields.String(load_default=None, allow_none=True)
    meta = fields.Dict(load_default=dict)
    features = fields.List(fields.Raw(), required=True)
    bbox = fields.List(fields.Float(), load_default=None, allow_none=True)
    # Members the service adds to collections it serves; accepted so exports load back.
    numberReturned = fields.Integer(load_default=None, allow_none=True)  # noqa: N815 - OGC name
    numberMatched = fields.Integer(load_default=None, allow_none=True)  # noqa: N815 - OGC name
    data_version = fields.Integer(load_default=None, allow_none=True)
    links = fields.List(fields.Dict(), load_default=None, allow_none=True)


READ_ONLY_PROPERTIES = ("version", "effective_uncertainty_m")
READ_ONLY_ZONE_FIELDS = ("centre_point", "display_max_error_m")


def storable(raw: dict[str, Any]) -> dict[str, Any]:
    """A validated feature document as it is stored: read-only fields the service adds
    are dropped, and circle and corridor zones keep no geometry (what a client got back
    for them was a display polygon, not data)."""
    feature_schema.load(raw)  # raises ValidationError
    props = {k: v for k, v in raw["properties"].items() if k not in READ_ONLY_PROPERTIES}
    geometry = raw.get("geometry")
    zone = props.get("zone")
    if isinstance(zone, dict):
        zone = {k: v for k, v in zone.items() if k not in READ_ONLY_ZONE_FIELDS}
        props["zone"] = zone
        if zone.get("shape") in ("circle", "corridor"):
            geometry = None
    return {"type": "Feature", "id": props["id"], "geometry": geometry, "properties": props}


feature_schema = FeatureSchema()
feature_collection_schema = FeatureCollectionSchema()


class FeaturesQuerySchema(StrictSchema):
    """``GET /features``: features of one ``kind``, in force at ``at``, as of
    ``data_version``."""

    kind = fields.String(validate=validate.OneOf(KINDS))
    at = Instant()
    data_version = DataVersion()


class FeatureQuerySchema(StrictSchema):
    """``GET /features/{id}``: the feature as of ``data_version``."""

    data_version = DataVersion()


features_query_schema = FeaturesQuerySchema()
feature_query_schema = FeatureQuerySchema()
