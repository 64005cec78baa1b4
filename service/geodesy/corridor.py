"""Corridors: every point within a geodesic half-width of a route (round ends and joins,
the true buffer). Signed distance to the boundary is ``distance to route − half width``."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from service.geodesy.ellipsoid import FloatArray
from service.geodesy.errors import GeodesyError
from service.geodesy.polyline import Polyline, PolylineDistance


class Corridor:
    """A band of ``half_width_m`` metres either side of a polyline.

    Parameters
    ----------
    route : Polyline
        The centre line.
    half_width_m : float
        Geodesic half-width (m), > 0.

    Raises
    ------
    GeodesyError
        If the half-width is not a positive number of metres.

    Examples
    --------
    >>> road = Polyline([36.9, 37.3], [33.7, 33.85])  # longitudes, then latitudes
    >>> band = Corridor(road, 5_000.0)
    >>> bool(band.signed_distance([37.1], [33.8])[0] < 0)  # near the road: inside
    True
    """

    def __init__(self, route: Polyline, half_width_m: float) -> None:
        width = float(half_width_m)
        if not np.isfinite(width) or width <= 0.0:
            raise GeodesyError("half_width_m must be a positive number of metres", "half_width_m")
        self.route = route
        self.half_width_m = width

    def distance(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> PolylineDistance:
        """Exact distance from each point to the centre line, with the nearest point.

        Parameters
        ----------
        lon, lat : array_like
            Longitudes, then latitudes, of the points (degrees; results are flattened).

        Returns
        -------
        PolylineDistance
            As :meth:`Polyline.distance`: ``distance_m`` (m, ≥ 0) to the centre line, not
            to the corridor's edge.
        """
        return self.route.distance(lon, lat)

    def signed_distance(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> FloatArray:
        """Exact signed distance (m) to the corridor's edge: distance to the centre line
        less the half-width, negative inside, 0 on the edge (inside).

        Parameters
        ----------
        lon, lat : array_like
            Longitudes, then latitudes, of the points (degrees, equal shapes).

        Returns
        -------
        ndarray of float
            Metres, one per point (flattened to 1-D).
        """
        return self.route.distance(lon, lat).distance_m - self.half_width_m

    def boundary_bounds(
        self, lon: npt.ArrayLike, lat: npt.ArrayLike
    ) -> tuple[FloatArray, FloatArray]:
        """Proven bounds ``(low, high)`` on the signed distance (m) from straight-line
        geometry only; ``high`` is +inf (no cheap upper bound is claimed).

        Parameters
        ----------
        lon, lat : array_like
            Longitudes, then latitudes, of the points (degrees, equal shapes).

        Returns
        -------
        low, high : ndarray of float
            Metres, shaped like ``lon``, ``low ≤ signed_distance``; ``high`` is +inf.
        """
        low = self.route.distance_lower_bound(lon, lat) - self.half_width_m
        return low, np.full(low.shape, np.inf)
