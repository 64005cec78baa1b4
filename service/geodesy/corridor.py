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
    """

    def __init__(self, route: Polyline, half_width_m: float) -> None:
        width = float(half_width_m)
        if not np.isfinite(width) or width <= 0.0:
            raise GeodesyError("half_width_m must be a positive number of metres", "half_width_m")
        self.route = route
        self.half_width_m = width

    def distance(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> PolylineDistance:
        """Exact distance to the centre line with the nearest point (see
        :meth:`Polyline.distance`)."""
        return self.route.distance(lon, lat)

    def signed_distance(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> FloatArray:
        """Exact signed distance (m) to the corridor's edge: negative inside."""
        return self.route.distance(lon, lat).distance_m - self.half_width_m

    def boundary_bounds(
        self, lon: npt.ArrayLike, lat: npt.ArrayLike
    ) -> tuple[FloatArray, FloatArray]:
        """Proven bounds ``(low, high)`` on the signed distance (m) from straight-line
        geometry only; ``high`` is +inf (no cheap upper bound is claimed)."""
        low = self.route.distance_lower_bound(lon, lat) - self.half_width_m
        return low, np.full(low.shape, np.inf)
