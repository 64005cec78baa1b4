"""The reference set: uncertainty inherited from what a zone follows, names and alias
collisions, zones in time, and zone shapes built through the registry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schemas.feature import feature_schema
from service.rules.errors import (
    NotAZoneError,
    ReferenceDataError,
    UnknownFeatureError,
)
from service.rules.model import (
    CircleRule,
    CorridorRule,
    Feature,
    PolygonRule,
    ZoneRule,
    zone_rule,
)
from service.rules.reference import ReferenceSet
from service.rules.shapes import CircleShape, CorridorShape
from tests.geodesy.shapes import AL_TANF

GARRISON = Feature(
    "al-tanf-garrison",
    "al-Tanf garrison",
    "site",
    {"type": "Point", "coordinates": list(AL_TANF)},
    2_000.0,
    aliases=("At Tanf", "Tanf base"),
)
ROAD = Feature(
    "road",
    "Road",
    "route",
    {"type": "LineString", "coordinates": [[36.9, 33.7], [37.3, 33.85]]},
    700.0,
)
TRIANGLE = {"type": "Polygon", "coordinates": [[[37, 33], [39, 33], [38, 35], [37, 33]]]}


def zone(
    feature_id: str,
    rule: ZoneRule,
    uncertainty_m: float = 0.0,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
) -> Feature:
    """A zone feature with this rule and no geometry of its own."""
    return Feature(
        feature_id,
        feature_id.title(),
        "zone",
        None,
        uncertainty_m,
        valid_from=valid_from,
        valid_to=valid_to,
        zone=rule,
    )


def test_zones_inherit_the_uncertainty_of_what_they_follow() -> None:
    reference = ReferenceSet(
        [
            GARRISON,
            ROAD,
            zone("on-site", CircleRule(centre="al-tanf-garrison", radius_m=55_000.0), 10.0),
            zone("on-point", CircleRule(centre=AL_TANF, radius_m=55_000.0), 10.0),
            zone("along", CorridorRule(route="road", half_width_m=5_000.0), 20.0),
            Feature("tri", "Tri", "zone", TRIANGLE, 30.0, zone=PolygonRule()),
        ],
        1,
    )
    expected = {
        "on-site": 2_010.0,  # the garrison's 2 km plus its own 10 m
        "on-point": 10.0,  # a point follows nothing
        "along": 720.0,  # the road's 700 m plus its own 20 m
        "tri": 30.0,
        "al-tanf-garrison": 2_000.0,
        "road": 700.0,
    }
    for feature_id, uncertainty in expected.items():
        assert reference.uncertainty_m(reference.resolve(feature_id)) == uncertainty


def test_a_circle_on_a_site_is_centred_where_the_site_is() -> None:
    moved = Feature(
        "al-tanf-garrison", "Garrison", "site", {"type": "Point", "coordinates": [38.63, 33.51]}
    )
    circle = zone("tanf", CircleRule(centre="al-tanf-garrison", radius_m=55_000.0))
    assert ReferenceSet([GARRISON, circle], 1).circle_centre(circle) == AL_TANF
    assert ReferenceSet([moved, circle], 2).circle_centre(circle) == (38.63, 33.51)
    assert ReferenceSet([moved, circle], 2).circle_centre(moved) is None


def test_lookups_ignore_case_accents_and_punctuation() -> None:
    reference = ReferenceSet([GARRISON, ROAD], 1)
    for ref in ("al-tanf-garrison", "AL TANF GARRISON", "at-tanf", "Tánf  Base", "at_tanf"):
        assert reference.resolve(ref) is GARRISON
    assert "tanf base" in reference and "nowhere" not in reference and 5 not in reference


def test_unknown_names_suggest_close_ids() -> None:
    reference = ReferenceSet([GARRISON, ROAD], 1)
    with pytest.raises(UnknownFeatureError) as caught:
        reference.resolve("al tanf garison")
    assert caught.value.suggestions == ["al-tanf-garrison"]
    assert caught.value.detail.endswith("Did you mean: al-tanf-garrison?")


def test_an_alias_two_features_claim_is_an_error_naming_both() -> None:
    other = Feature(
        "tanf-crossing",
        "al-Tanf crossing",
        "site",
        {"type": "Point", "coordinates": [38.6, 33.4]},
        aliases=("Tanf base",),
    )
    with pytest.raises(ReferenceDataError) as caught:
        ReferenceSet([GARRISON, other], 1)
    assert caught.value.problems == [
        "feature 'tanf-crossing': alias 'Tanf base' already names 'al-tanf-garrison'"
    ]


def test_ids_win_over_aliases_and_a_feature_may_repeat_its_own_names() -> None:
    # "road" is another feature's alias: the id wins, and that is not a collision.
    claims_road = Feature(
        "highway",
        "Highway",
        "site",
        {"type": "Point", "coordinates": [37.0, 33.8]},
        aliases=("Road", "highway", "HIGHWAY"),
    )
    reference = ReferenceSet([ROAD, claims_road], 1)
    assert reference.resolve("road") is ROAD
    assert reference.resolve("Highway") is claims_road


def test_an_id_used_twice_is_an_error() -> None:
    with pytest.raises(ReferenceDataError) as caught:
        ReferenceSet([ROAD, ROAD], 1)
    assert caught.value.problems == ["feature 'road': the id is used twice"]


def test_every_inconsistent_zone_is_reported_at_once() -> None:
    features = [
        GARRISON,
        ROAD,
        zone("no-site", CircleRule(centre="nowhere", radius_m=1_000.0)),
        zone("road-as-centre", CircleRule(centre="road", radius_m=1_000.0)),
        zone("site-as-route", CorridorRule(route="al-tanf-garrison", half_width_m=1_000.0)),
        zone("no-polygon", PolygonRule()),
        zone("huge", CircleRule(centre=AL_TANF, radius_m=2e7)),
        zone("thin", CorridorRule(route="road", half_width_m=-1.0)),
    ]
    with pytest.raises(ReferenceDataError) as caught:
        ReferenceSet(features, 1)
    assert caught.value.problems == [
        "feature 'no-site': zone.centre 'nowhere' is not a site id",
        "feature 'road-as-centre': zone.centre 'road' is not a site id",
        "feature 'site-as-route': zone.route 'al-tanf-garrison' is not a route id",
        "feature 'no-polygon': a polygon zone needs Polygon geometry",
        "feature 'huge': radius_m must not exceed 10001965 m (a quarter meridian)",
        "feature 'thin': half_width_m must be a positive number of metres",
    ]


def test_zone_shapes_come_from_the_registry_and_only_zones_have_one() -> None:
    circle = zone("tanf", CircleRule(centre="al-tanf-garrison", radius_m=55_000.0))
    corridor = zone("along", CorridorRule(route="road", half_width_m=5_000.0))
    reference = ReferenceSet([GARRISON, ROAD, circle, corridor], 1)
    assert type(reference.zone_shape(circle)) is CircleShape
    assert type(reference.zone_shape(corridor)) is CorridorShape
    assert reference.shape(circle) is reference.zone_shape(circle)
    with pytest.raises(NotAZoneError) as caught:
        reference.zone_shape(ROAD)
    assert caught.value.kind == "route"


def test_zones_in_force_and_named() -> None:
    start, end = datetime(2017, 6, 1, tzinfo=UTC), datetime(2018, 1, 1, tzinfo=UTC)
    rule = CircleRule(centre=AL_TANF, radius_m=1_000.0)
    early = zone("early", rule, valid_to=start)
    later = zone("later", rule, valid_from=start, valid_to=end)
    reference = ReferenceSet([GARRISON, early, later], 1)
    assert reference.zones(datetime(2017, 7, 1, tzinfo=UTC)) == [later]
    assert reference.zones(datetime(2017, 1, 1, tzinfo=UTC)) == [early]
    assert reference.zones(datetime(2017, 7, 1, tzinfo=UTC), ["Later", "later", "early"]) == [later]
    with pytest.raises(NotAZoneError):
        reference.zones(start, ["at tanf"])


@pytest.mark.parametrize(
    "rule",
    [
        CircleRule(centre="al-tanf-garrison", radius_m=55_000.0, severity="critical", message="m"),
        CircleRule(centre=(38.6, 33.5), radius_m=1.5, authority="a", announced_on="2017-06-01"),
        CorridorRule(route="road", half_width_m=5_000.0, severity="info"),
        PolygonRule(message="inside"),
    ],
)
def test_rules_survive_the_wire_format(rule: ZoneRule) -> None:
    geometry = TRIANGLE if rule.shape == "polygon" else None
    document = {
        "type": "Feature",
        "geometry": geometry,
        "properties": {"id": "z", "name": "Z", "kind": "zone", "zone": rule.to_dict()},
    }
    loaded = feature_schema.load(document)
    assert zone_rule(loaded["properties"]["zone"]) == rule
    assert Feature.from_loaded(loaded).zone == rule
    keys = list(rule.to_dict())
    assert keys[0] == "shape"
    assert keys[-4:] == ["severity", "message", "authority", "announced_on"]


def test_a_rule_keeps_only_its_own_shape_fields() -> None:
    document = {
        "type": "Feature",
        "geometry": TRIANGLE,
        "properties": {
            "id": "z",
            "name": "Z",
            "kind": "zone",
            # The wire format accepts other shapes' fields; the polygon rule drops them.
            "zone": {"shape": "polygon", "radius_m": 3.0, "route": "road"},
        },
    }
    rule = Feature.from_loaded(feature_schema.load(document)).zone
    assert rule == PolygonRule()
    assert rule is not None and rule.to_dict() == {
        "shape": "polygon",
        "edges": "geodesic",
        "severity": "warning",
        "message": "",
        "authority": None,
        "announced_on": None,
    }
