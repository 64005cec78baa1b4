"""marshmallow schemas: the wire format, one module per resource.

Every schema rejects unknown fields (``Meta.unknown = RAISE``) so a typo in a field name is
an error naming that field, never silently ignored. The notation people type (point,
length and compass strings, and the one lat/lon range check) is :mod:`schemas.notation`,
which has no marshmallow in it.

Axis order: on the wire and in the CLI, latitude comes first in objects and strings
(``{"lat": 33.9, "lon": 38.2}``, ``"33.9, 38.2"``, ``check_columns(lat, lon)``), and
GeoJSON positions are ``[lon, lat]`` as RFC 7946 has them; the core (``service.geodesy``,
``service.rules``, :class:`schemas.point.PointBatch`'s first field) works in ``(lon, lat)``.
"""
