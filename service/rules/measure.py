"""Distances from points to features or to other points, with the nearest point.

Conventions: points are longitude and latitude arrays in degrees (in that order), lengths
metres; ``azimuth_deg`` is measured at the query point toward the nearest point, clockwise
from north in [0, 360); ``side`` is relative to a route's direction of travel (from its
first vertex to its last). What each kind of feature adds is its shape's business: see
:meth:`service.rules.shapes.Shape.measure`.
"""

from __future__ import annotations

from service.geodesy import LEFT, RIGHT
from service.geodesy.ellipsoid import FloatArray
from service.rules.model import Feature
from service.rules.reference import ReferenceSet
from service.rules.shapes import Measurement, to_point

__all__ = ["SIDE_NAMES", "Measurement", "to_feature", "to_point"]

#: Names of :attr:`~service.geodesy.PolylineDistance.side` codes in answers.
SIDE_NAMES = {LEFT: "left", RIGHT: "right", 0: "on"}


def to_feature(
    reference: ReferenceSet, feature: Feature, lon: FloatArray, lat: FloatArray
) -> Measurement:
    """Distance from each point to ``feature``: a site, route, area or zone.

    Parameters
    ----------
    reference : ReferenceSet
        The reference set ``feature`` belongs to.
    feature : Feature
        The feature to measure to.
    lon, lat : ndarray of float
        Longitudes, then latitudes, of the query points (degrees, 1-D).

    Returns
    -------
    Measurement
        Distance (m; 0 inside areas and zones), azimuth and nearest point, with the
        columns the feature's shape adds (see :class:`~service.rules.shapes.Measurement`).
    """
    return reference.shape(feature).measure(lon, lat)
