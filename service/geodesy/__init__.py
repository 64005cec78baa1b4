"""The pure geodesy core: exact answers on the WGS84 ellipsoid over numpy arrays.

No Flask, no database, no I/O. Coordinates are ``(lon, lat)`` in degrees (GeoJSON order),
lengths in metres, azimuths in degrees clockwise from true north in [0, 360), signed
distances negative inside a shape. Bad input raises :class:`GeodesyError`.
"""

from service.geodesy.circle import Circle, CircleDistance
from service.geodesy.corridor import Corridor
from service.geodesy.display import DisplayPolygon, circle_polygon, corridor_polygon
from service.geodesy.ellipsoid import WGS84, to_ecef
from service.geodesy.errors import GeodesyError
from service.geodesy.geodesic import Direct, Inverse, direct, direct_one, inverse, inverse_one
from service.geodesy.polygon import GeodesicPolygon, Ring
from service.geodesy.polyline import LEFT, ON_LINE, RIGHT, Polyline, PolylineDistance

__all__ = [
    "LEFT",
    "ON_LINE",
    "RIGHT",
    "WGS84",
    "Circle",
    "CircleDistance",
    "Corridor",
    "Direct",
    "DisplayPolygon",
    "GeodesicPolygon",
    "GeodesyError",
    "Inverse",
    "Polyline",
    "PolylineDistance",
    "Ring",
    "circle_polygon",
    "corridor_polygon",
    "direct",
    "direct_one",
    "inverse",
    "inverse_one",
    "to_ecef",
]
