"""The WGS84 ellipsoid, coordinate checks and Earth-centred Cartesian coordinates.

All angles are degrees, all lengths metres. Arrays are ``(lon, lat)`` in that order,
matching GeoJSON (RFC 7946).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from pyproj import Geod

from service.geodesy.errors import GeodesyError

FloatArray = npt.NDArray[np.float64]

#: The ellipsoid every answer is computed on. ``pyproj.Geod`` wraps Karney's C library
#: (GeographicLib), accurate to about 15 nanometres.
WGS84 = Geod(ellps="WGS84")

SEMI_MAJOR_M: float = float(WGS84.a)
SEMI_MINOR_M: float = float(WGS84.b)
FLATTENING: float = float(WGS84.f)
ECCENTRICITY_SQ: float = float(WGS84.es)

#: Largest curvature (1/m) a curve on the ellipsoid's surface can have when it is a
#: geodesic: a geodesic's curvature is the surface's normal curvature along it, and the
#: smallest radius of curvature of WGS84 is the meridional one at the equator, b²/a.
MAX_GEODESIC_CURVATURE: float = SEMI_MAJOR_M / SEMI_MINOR_M**2

#: Mean radius R1 = (2a + b) / 3, used only for first guesses in iterations.
MEAN_RADIUS_M: float = (2 * SEMI_MAJOR_M + SEMI_MINOR_M) / 3

#: Total surface area of the ellipsoid (m²).
EARTH_AREA_M2: float = float(
    2
    * np.pi
    * SEMI_MAJOR_M**2
    * (1 + (1 - ECCENTRICITY_SQ) / np.sqrt(ECCENTRICITY_SQ) * np.arctanh(np.sqrt(ECCENTRICITY_SQ)))
)

#: Absolute slack (m) added to every cheap bound before it may decide an answer. It covers
#: floating-point error in Earth-centred coordinates (~1e-9 m) with a wide margin and is
#: far above pyproj's own error (~1.5e-8 m), so a fast path never contradicts pyproj.
BOUND_SLACK_M = 1e-6


def as_lonlat(
    lon: npt.ArrayLike, lat: npt.ArrayLike, what: str = "point"
) -> tuple[FloatArray, FloatArray]:
    """Check and convert coordinates to float64 arrays of equal shape.

    Parameters
    ----------
    lon, lat : array_like
        Longitudes and latitudes in degrees. Longitude may be any finite number (it is
        periodic); latitude must lie in [-90, 90].
    what : str
        Names the input in error messages.

    Returns
    -------
    lon, lat : ndarray of float
        The same values as float64 arrays, longitude first.

    Raises
    ------
    GeodesyError
        If a value is NaN or infinite, a latitude is outside [-90, 90], or the shapes differ.
    """
    lon_a = np.asarray(lon, dtype=np.float64)
    lat_a = np.asarray(lat, dtype=np.float64)
    if lon_a.shape != lat_a.shape:
        raise GeodesyError(
            f"{what}: lon has shape {lon_a.shape} but lat has shape {lat_a.shape}", "lon"
        )
    if not np.all(np.isfinite(lon_a)):
        raise GeodesyError(f"{what}: longitude must be a finite number of degrees", "lon")
    if not np.all(np.abs(lat_a) <= 90.0):  # one pass: False for NaN too
        if not np.all(np.isfinite(lat_a)):
            raise GeodesyError(f"{what}: latitude must be a finite number of degrees", "lat")
        raise GeodesyError(f"{what}: latitude must lie between -90 and 90 degrees", "lat")
    return lon_a, lat_a


def check_lonlat_scalar(lon: float, lat: float, what: str = "point") -> tuple[float, float]:
    """Scalar twin of :func:`as_lonlat`: check one position without allocating arrays (the
    single-point path).

    Parameters
    ----------
    lon, lat : float
        Longitude, then latitude, in degrees. Longitude may be any finite number;
        latitude must lie in [-90, 90].
    what : str
        Names the input in error messages.

    Returns
    -------
    lon, lat : float
        The same values as plain floats, longitude first.

    Raises
    ------
    GeodesyError
        If a value is NaN or infinite, or the latitude is outside [-90, 90].

    Examples
    --------
    >>> check_lonlat_scalar(38, 34.5)
    (38.0, 34.5)
    """
    lon_f, lat_f = float(lon), float(lat)
    if not np.isfinite(lon_f):
        raise GeodesyError(f"{what}: longitude must be a finite number of degrees", "lon")
    if not np.isfinite(lat_f):
        raise GeodesyError(f"{what}: latitude must be a finite number of degrees", "lat")
    if abs(lat_f) > 90.0:
        raise GeodesyError(f"{what}: latitude must lie between -90 and 90 degrees", "lat")
    return lon_f, lat_f


def check_distance(value: npt.ArrayLike, field: str) -> FloatArray:
    """Check and convert distances to a float64 array.

    Parameters
    ----------
    value : array_like
        Distances in metres; each must be finite and ≥ 0.
    field : str
        Names the argument in the error (message and :attr:`GeodesyError.field`).

    Returns
    -------
    ndarray of float
        The same values as a float64 array.

    Raises
    ------
    GeodesyError
        If a distance is NaN, infinite or negative.

    Examples
    --------
    >>> check_distance([0.0, 55_000.0], "radius_m").tolist()
    [0.0, 55000.0]
    """
    arr = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise GeodesyError(f"{field} must be a finite number of metres", field)
    if np.any(arr < 0):
        raise GeodesyError(f"{field} must not be negative", field)
    return arr


def normalize_azimuth(azimuth: npt.ArrayLike) -> FloatArray:
    """Map azimuths (degrees clockwise from north) into [0, 360).

    Parameters
    ----------
    azimuth : array_like
        Azimuths in degrees, any finite values.

    Returns
    -------
    ndarray of float
        The same directions in [0, 360), shaped like ``azimuth``.

    See Also
    --------
    normalize_azimuth_one : The same for one float.

    Examples
    --------
    >>> normalize_azimuth([-90.0, 360.0, -1e-17]).tolist()
    [270.0, 0.0, 0.0]
    """
    az = np.mod(np.asarray(azimuth, dtype=np.float64), 360.0)
    # np.mod(-1e-17, 360) rounds to 360.0 exactly.
    return np.where(az >= 360.0, 0.0, az)


def normalize_azimuth_one(azimuth: float) -> float:
    """Scalar :func:`normalize_azimuth`: map one azimuth (degrees clockwise from north)
    into [0, 360).

    Parameters
    ----------
    azimuth : float
        Azimuth in degrees, any finite value.

    Returns
    -------
    float
        The same direction in [0, 360).

    Examples
    --------
    >>> normalize_azimuth_one(-90.0), normalize_azimuth_one(360.0)
    (270.0, 0.0)
    >>> -1e-17 % 360.0, normalize_azimuth_one(-1e-17)
    (360.0, 0.0)
    """
    # One modulo is not enough: a tiny negative azimuth such as -1e-17 gives 360 - 1e-17,
    # which rounds to 360.0 exactly; the second modulo maps that 360.0 to 0.0.
    return float(azimuth) % 360.0 % 360.0


def normalize_longitude(lon: npt.ArrayLike) -> FloatArray:
    """Map longitudes (degrees) into [-180, 180).

    Parameters
    ----------
    lon : array_like
        Longitudes in degrees, any finite values.

    Returns
    -------
    ndarray of float
        The same meridians in [-180, 180), shaped like ``lon``.

    Examples
    --------
    >>> normalize_longitude([180.0, 190.0, -180.0]).tolist()
    [-180.0, -170.0, -180.0]
    """
    out = np.mod(np.asarray(lon, dtype=np.float64) + 180.0, 360.0) - 180.0
    return np.where(out >= 180.0, -180.0, out)


def to_ecef(lon: npt.ArrayLike, lat: npt.ArrayLike) -> FloatArray:
    """Earth-centred, Earth-fixed Cartesian coordinates (m) of points on the ellipsoid.

    Parameters
    ----------
    lon, lat : array_like
        Longitudes, then latitudes (degrees, equal shapes); height is zero.

    Returns
    -------
    ndarray of float
        Shape ``(..., 3)`` holding x (toward 0° E on the equator), y (toward 90° E) and
        z (toward the North Pole), in metres.
    """
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    sin_phi = np.sin(phi)
    cos_phi = np.cos(phi)
    n = SEMI_MAJOR_M / np.sqrt(1.0 - ECCENTRICITY_SQ * sin_phi * sin_phi)
    return np.stack(
        [
            n * cos_phi * np.cos(lam),
            n * cos_phi * np.sin(lam),
            n * (1.0 - ECCENTRICITY_SQ) * sin_phi,
        ],
        axis=-1,
    )


#: Chords up to this length (m) admit the Schur upper bound in :func:`geodesic_upper_bound`.
#: Proof sketch: lift both ends along their normals onto the sphere of radius a (at most
#: a - b ≈ 21.4 km each), join them by a great-circle arc there, and project it back with
#: the nearest-point map onto the solid ellipsoid (1-Lipschitz because the body is convex).
#: That surface path is shorter than ~1.05 × (chord + 43 km), so for chords below 1000 km
#: the geodesic is far shorter than π/κ, the condition of Schur's comparison theorem.
SCHUR_MAX_CHORD_M = 1_000_000.0


def geodesic_upper_bound(chord_m: FloatArray) -> FloatArray:
    """A proven upper bound (m) on the geodesic distance between two surface points whose
    straight-line (chord) distance is ``chord_m``.

    A geodesic has curvature at most κ = a/b²; by Schur's comparison theorem its chord is
    at least that of a circular arc of the same length and curvature κ, so
    ``s ≤ (2/κ)·asin(κc/2)``. The excess over the chord is about κ²c³/24: 0.17 m at 55 km.
    Chords longer than :data:`SCHUR_MAX_CHORD_M` get ``+inf`` (no bound claimed).

    Parameters
    ----------
    chord_m : ndarray of float
        Straight-line distances (m, ≥ 0) between pairs of points on the ellipsoid.

    Returns
    -------
    ndarray of float
        Upper bounds (m) on the geodesic distances, ≥ ``chord_m``; ``+inf`` past
        :data:`SCHUR_MAX_CHORD_M`.

    Examples
    --------
    >>> excess = geodesic_upper_bound(np.array([55_000.0, 2e6])) - [55_000.0, 2e6]
    >>> round(float(excess[0]), 2), float(excess[1])
    (0.17, inf)
    """
    kappa = MAX_GEODESIC_CURVATURE
    half = np.clip(kappa * chord_m / 2.0, 0.0, 1.0)
    bound = 2.0 / kappa * np.arcsin(half)
    return np.where(chord_m <= SCHUR_MAX_CHORD_M, bound, np.inf)
