"""The two geodesic problems on WGS84: inverse (distance and azimuths) and direct
(destination).

Every function takes ``(lon, lat)`` in degrees and returns metres and degrees, azimuths
clockwise from true north in [0, 360). Array functions accept anything numpy can
broadcast; the ``*_one`` functions take and return plain floats, which is several times
faster than one-element arrays for single points.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from service.geodesy.ellipsoid import (
    WGS84,
    FloatArray,
    as_lonlat,
    check_distance,
    check_lonlat_scalar,
    normalize_azimuth,
    normalize_azimuth_one,
    normalize_longitude,
)
from service.geodesy.errors import GeodesyError

AZIMUTH_MESSAGE = "azimuth_deg must be a finite number of degrees"


class Inverse(NamedTuple):
    """Solution of the inverse problem from point 1 to point 2, as :func:`inverse` returns
    it; arrays with the broadcast shape of the inputs."""

    #: Geodesic distance from point 1 to point 2 (m, ≥ 0).
    distance_m: FloatArray
    #: Azimuth at point 1 toward point 2, degrees in [0, 360).
    azimuth_deg: FloatArray
    #: Azimuth at point 2 pointing back toward point 1, degrees in [0, 360).
    back_azimuth_deg: FloatArray


class Direct(NamedTuple):
    """Solution of the direct problem, as :func:`direct` returns it; arrays with the
    broadcast shape of the inputs."""

    #: Longitude of the destination, degrees in [-180, 180).
    lon: FloatArray
    #: Latitude of the destination, degrees.
    lat: FloatArray
    #: Azimuth at the destination pointing back toward the start, degrees in [0, 360).
    back_azimuth_deg: FloatArray


def inverse(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike
) -> Inverse:
    """Geodesic distance and azimuths between points 1 and 2 (element-wise, broadcast).

    Exact to about 15 nm everywhere, including near-antipodal pairs and the poles.

    Parameters
    ----------
    lon1, lat1 : array_like
        Point 1, longitude then latitude (degrees).
    lon2, lat2 : array_like
        Point 2, longitude then latitude (degrees).

    Returns
    -------
    Inverse
        ``distance_m``, ``azimuth_deg`` (at point 1 toward 2) and ``back_azimuth_deg``
        (at point 2 toward 1), azimuths in [0, 360).

    Raises
    ------
    GeodesyError
        If a coordinate is not finite or a latitude is outside [-90, 90].

    Examples
    --------
    Palmyra to Damascus:

    >>> round(float(inverse(38.2672, 34.56, 36.2913, 33.5102).distance_m))
    216451
    """
    lo1, la1 = as_lonlat(lon1, lat1, "from")
    lo2, la2 = as_lonlat(lon2, lat2, "to")
    lo1, la1, lo2, la2 = np.broadcast_arrays(lo1, la1, lo2, la2)
    az12, az21, dist = WGS84.inv(lo1, la1, lo2, la2)
    return Inverse(
        np.asarray(dist, dtype=np.float64), normalize_azimuth(az12), normalize_azimuth(az21)
    )


def inverse_one(lon1: float, lat1: float, lon2: float, lat2: float) -> tuple[float, float, float]:
    """Scalar :func:`inverse`: distance and azimuths between two points, in plain floats
    (several times faster than one-element arrays).

    Parameters
    ----------
    lon1, lat1 : float
        Point 1, longitude then latitude (degrees).
    lon2, lat2 : float
        Point 2, longitude then latitude (degrees).

    Returns
    -------
    distance_m : float
        Geodesic distance (m, ≥ 0).
    azimuth_deg : float
        Azimuth at point 1 toward point 2, degrees clockwise from north in [0, 360).
    back_azimuth_deg : float
        Azimuth at point 2 toward point 1, degrees clockwise from north in [0, 360).

    Raises
    ------
    GeodesyError
        If a coordinate is not finite or a latitude is outside [-90, 90].

    Examples
    --------
    Palmyra to Damascus:

    >>> distance_m, azimuth_deg, _ = inverse_one(38.2672, 34.56, 36.2913, 33.5102)
    >>> round(distance_m), 180.0 < azimuth_deg < 270.0
    (216451, True)
    """
    lon1, lat1 = check_lonlat_scalar(lon1, lat1, "from")
    lon2, lat2 = check_lonlat_scalar(lon2, lat2, "to")
    az12, az21, dist = WGS84.inv(lon1, lat1, lon2, lat2)
    return float(dist), normalize_azimuth_one(float(az12)), normalize_azimuth_one(float(az21))


def direct(
    lon: npt.ArrayLike, lat: npt.ArrayLike, azimuth_deg: npt.ArrayLike, distance_m: npt.ArrayLike
) -> Direct:
    """Destination after travelling ``distance_m`` metres from ``(lon, lat)`` along the
    geodesic that starts with azimuth ``azimuth_deg`` (clockwise from north).

    The destination's longitude is normalised into [-180, 180).

    Parameters
    ----------
    lon, lat : array_like
        Start, longitude then latitude (degrees).
    azimuth_deg : array_like
        Initial azimuth, degrees clockwise from north (any finite value).
    distance_m : array_like
        Distance to travel (m, ≥ 0).

    Returns
    -------
    Direct
        ``lon``, ``lat`` of the destination and ``back_azimuth_deg`` (at the destination,
        toward the start, in [0, 360)).

    Raises
    ------
    GeodesyError
        If a coordinate or azimuth is not finite, a latitude is outside [-90, 90] or a
        distance is negative.

    Examples
    --------
    >>> end = direct(38.2672, 34.56, 180.0, 10_000.0)  # 10 km due south of Palmyra
    >>> round(float(end.lat), 3), float(end.back_azimuth_deg)
    (34.47, 0.0)
    """
    lo, la = as_lonlat(lon, lat, "from")
    az = np.asarray(azimuth_deg, dtype=np.float64)
    if not np.all(np.isfinite(az)):
        raise GeodesyError(AZIMUTH_MESSAGE, "azimuth_deg")
    dist = check_distance(distance_m, "distance_m")
    lo, la, az, dist = np.broadcast_arrays(lo, la, az, dist)
    lon2, lat2, az21 = WGS84.fwd(lo, la, az, dist)
    return Direct(normalize_longitude(lon2), np.asarray(lat2), normalize_azimuth(az21))


def direct_one(
    lon: float, lat: float, azimuth_deg: float, distance_m: float
) -> tuple[float, float, float]:
    """Scalar :func:`direct`: the destination from one start, in plain floats.

    Parameters
    ----------
    lon, lat : float
        Start, longitude then latitude (degrees).
    azimuth_deg : float
        Initial azimuth, degrees clockwise from north (any finite value).
    distance_m : float
        Distance to travel (m, ≥ 0).

    Returns
    -------
    lon, lat : float
        The destination (degrees), longitude in [-180, 180) as in :func:`direct`.
    back_azimuth_deg : float
        Azimuth at the destination toward the start, degrees in [0, 360).

    Raises
    ------
    GeodesyError
        If a coordinate or the azimuth is not finite, the latitude is outside [-90, 90]
        or the distance is negative.

    Examples
    --------
    >>> lon, lat, back = direct_one(38.2672, 34.56, 180.0, 10_000.0)  # due south
    >>> lon, round(lat, 3), back
    (38.2672, 34.47, 0.0)
    """
    lon, lat = check_lonlat_scalar(lon, lat, "from")
    if not np.isfinite(azimuth_deg):
        raise GeodesyError(AZIMUTH_MESSAGE, "azimuth_deg")
    check_distance(distance_m, "distance_m")
    lon2, lat2, az21 = WGS84.fwd(lon, lat, float(azimuth_deg), float(distance_m))
    lon2 = (float(lon2) + 180.0) % 360.0 - 180.0
    return lon2, float(lat2), normalize_azimuth_one(float(az21))
