"""Reference features and zones: the format of ``geodata/*.geojson`` and of ``/features``.

A feature is a GeoJSON Feature whose ``properties`` carry its provenance; a zone also
carries its rule in ``properties.zone``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from schemas.base import DataVersion, FiniteFloat, Instant, StrictSchema
from schemas.geometry import Geometry

KINDS = ("site", "route", "area", "zone")
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


class CircleFieldsSchema(StrictSchema):
    """A circle's fields: a centre (a site id, which it follows, or a point) and a
    geodesic radius."""

    centre = CentreField(load_default=None, allow_none=True)
    radius_m = FiniteFloat(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0, max=MAX_RADIUS_M, min_inclusive=False),
    )


class CorridorFieldsSchema(StrictSchema):
    """A corridor's fields: a route id (which it follows) and a geodesic half-width."""

    route = fields.String(load_default=None, allow_none=True)
    half_width_m = FiniteFloat(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0, max=1_000_000, min_inclusive=False),
    )


class PolygonFieldsSchema(StrictSchema):
    """A polygon's fields: how its edges run (the polygon is the zone's own geometry)."""

    edges = fields.String(load_default="geodesic", validate=validate.OneOf(("geodesic",)))


@dataclass(frozen=True)
class ShapeVariant:
    """One zone shape in the wire format: its fields, and what it asks of the rest.

    Attributes
    ----------
    schema : type of Schema
        Declares the shape's own fields; :class:`ZoneRuleSchema` mixes it in, so a rule
        stays one flat object.
    needs : tuple of str
        Fields the shape cannot do without: each must be given and not null.
    needs_message : str
        The message for each of them that is missing.
    geometry_types : tuple of str or None
        The geometry types the zone feature itself must have (``None``: any a zone may).
    geometry_message : str
        The message when it has another.
    keeps_geometry : bool
        Whether a stored zone keeps the geometry it was sent with: not where what a client
        got back was a display polygon drawn from the rule, not data.
    """

    schema: type[StrictSchema]
    needs: tuple[str, ...] = ()
    needs_message: str = ""
    geometry_types: tuple[str, ...] | None = None
    geometry_message: str = ""
    keeps_geometry: bool = True

    def check_needs(self, rule: dict[str, Any]) -> None:
        """Raise a ``ValidationError`` naming each field in :attr:`needs` that ``rule`` (a
        loaded ``properties.zone``) lacks."""
        missing = [k for k in self.needs if rule.get(k) is None]
        if missing:
            raise ValidationError({k: [self.needs_message] for k in missing})

    def check_geometry(self, gtype: str | None) -> None:
        """Raise a ``ValidationError`` on ``geometry`` if the zone feature's geometry type
        is not one the shape takes."""
        if self.geometry_types is not None and gtype not in self.geometry_types:
            raise ValidationError({"geometry": [self.geometry_message]})


#: Every zone shape of the wire format by name (``properties.zone.shape``); the service's
#: side of each is registered in ``service.rules.shapes.SHAPES``.
SHAPE_VARIANTS: dict[str, ShapeVariant] = {
    "circle": ShapeVariant(
        CircleFieldsSchema,
        needs=("centre", "radius_m"),
        needs_message="A circle zone needs a centre and radius_m.",
        keeps_geometry=False,
    ),
    "corridor": ShapeVariant(
        CorridorFieldsSchema,
        needs=("route", "half_width_m"),
        needs_message="A corridor zone needs a route id and half_width_m.",
        keeps_geometry=False,
    ),
    "polygon": ShapeVariant(
        PolygonFieldsSchema,
        geometry_types=("Polygon", "MultiPolygon"),
        geometry_message="A polygon zone needs Polygon geometry.",
    ),
}
SHAPES = tuple(SHAPE_VARIANTS)


class ShapeTagSchema(StrictSchema):
    """The tag that says which variant a rule is."""

    shape = fields.String(required=True, validate=validate.OneOf(SHAPES))


# One base per entry of SHAPE_VARIANTS. marshmallow lists inherited fields from the last
# base to the first: shape, then the circle's, the corridor's and the polygon's fields,
# then this class's own.
class ZoneRuleSchema(PolygonFieldsSchema, CorridorFieldsSchema, CircleFieldsSchema, ShapeTagSchema):
    """The rule of a zone: its shape, the fields of every shape (checked as the variant of
    its shape asks), and what it means."""

    severity = fields.String(load_default="warning", validate=validate.OneOf(SEVERITIES))
    message = fields.String(load_default="", validate=validate.Length(max=2000))
    authority = fields.String(load_default=None, allow_none=True)
    announced_on = fields.String(load_default=None, allow_none=True)
    # Read-only fields the service adds to served zones; accepted and dropped.
    centre_point = fields.Dict(load_default=None, allow_none=True)
    display_max_error_m = fields.Float(load_default=None, allow_none=True)

    @validates_schema
    def _shape_needs(self, data: dict[str, Any], **kwargs: Any) -> None:
        SHAPE_VARIANTS[data["shape"]].check_needs(data)


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
        if rule:
            SHAPE_VARIANTS[rule["shape"]].check_geometry(gtype)
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
    are dropped, and zones whose shape does not keep its geometry (circles, corridors:
    what a client got back for them was a display polygon, not data) keep none."""
    feature_schema.load(raw)  # raises ValidationError
    props = {k: v for k, v in raw["properties"].items() if k not in READ_ONLY_PROPERTIES}
    geometry = raw.get("geometry")
    zone = props.get("zone")
    if isinstance(zone, dict):
        zone = {k: v for k, v in zone.items() if k not in READ_ONLY_ZONE_FIELDS}
        props["zone"] = zone
        if not SHAPE_VARIANTS[zone["shape"]].keeps_geometry:  # validated just above
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
