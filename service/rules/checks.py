"""Check points against zones: per-zone verdicts and distances, and the overall verdict.

Everything is column-wise: arrays of ``lon, lat`` (degrees) and ``accuracy_m`` (m) in, one
array per output field out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from service.geodesy.ellipsoid import FloatArray
from service.rules.model import Feature
from service.rules.reference import ReferenceSet
from service.rules.verdict import OUTSIDE, Codes, fast_verdicts, verdict_codes, verdict_one


@dataclass
class ZoneCheck:
    """One zone's answer for every point; arrays have one entry per point."""

    #: The zone asked about.
    zone: Feature
    #: The zone's uncertainty (m): its own plus that of what its shape follows.
    uncertainty_m: float
    #: Verdict codes (see :mod:`service.rules.verdict`): 1 inside, 0 uncertain, −1 outside.
    verdict: Codes
    #: Zone uncertainty plus each point's accuracy (m).
    margin_m: FloatArray
    #: Signed distance to the boundary (m, negative inside); None when not computed.
    boundary_m: FloatArray | None
    #: Distance to the centre (m) for circles; None otherwise or when not computed.
    centre_m: FloatArray | None


@dataclass
class CheckResult:
    """Every point's answer against every zone."""

    #: Each point's overall verdict code: the highest over its zones (inside wins).
    overall: Codes
    #: One answer per zone, in the order the zones were given.
    zones: list[ZoneCheck]


def check_points(
    reference: ReferenceSet,
    zones: list[Feature],
    lon: FloatArray,
    lat: FloatArray,
    accuracy_m: FloatArray,
    with_distances: bool = True,
) -> CheckResult:
    """Verdicts of every point against every zone.

    With ``with_distances=False`` only verdicts are computed, and points whose verdict the
    proven cheap bounds settle skip the exact geodesic work.

    Parameters
    ----------
    reference : ReferenceSet
        The reference set the zones belong to.
    zones : list of Feature
        Zones of ``reference``.
    lon, lat : ndarray of float
        Longitudes, then latitudes, of the points (degrees, 1-D, equal lengths).
    accuracy_m : ndarray of float
        How far (m, ≥ 0) each point's true position may be from the given one.
    with_distances : bool
        Whether to report distances (and so compute them exactly everywhere).

    Returns
    -------
    CheckResult
        ``boundary_m`` (signed, negative inside) and, for zones with a centre,
        ``centre_m`` are ``None`` without distances.
    """
    overall = np.full(lon.shape, OUTSIDE, dtype=np.int8)
    results = []
    for zone in zones:
        shape = reference.zone_shape(zone)
        uncertainty = reference.uncertainty_m(zone)
        margin = accuracy_m + uncertainty
        boundary = centre = None
        if not with_distances:
            codes = fast_verdicts(shape, lon, lat, margin)
        else:
            boundary, centre = shape.distances(lon, lat)
            codes = verdict_codes(boundary, margin)
        np.maximum(overall, codes, out=overall)
        results.append(ZoneCheck(zone, uncertainty, codes, margin, boundary, centre))
    return CheckResult(overall, results)


@dataclass
class ZoneAnswer:
    """One zone's answer for one point (the scalar twin of :class:`ZoneCheck`).

    Attributes
    ----------
    zone : Feature
        The zone asked about.
    uncertainty_m : float
        The zone's uncertainty (m): its own plus that of what its shape follows.
    verdict : int
        1 inside, 0 uncertain, −1 outside.
    margin_m : float
        Zone uncertainty plus the point's accuracy (m).
    boundary_m : float
        Signed distance to the boundary (m, negative inside).
    centre_m : float or None
        Distance to the centre (m); ``None`` for zones without a centre.
    """

    zone: Feature
    uncertainty_m: float
    verdict: int
    margin_m: float
    boundary_m: float
    centre_m: float | None


def check_point(
    reference: ReferenceSet, zones: list[Feature], lon: float, lat: float, accuracy_m: float
) -> tuple[int, list[ZoneAnswer]]:
    """:func:`check_points` for one point, in plain floats: pyproj is several times faster
    on floats than on one-element arrays, which matters for single requests.

    Parameters
    ----------
    reference : ReferenceSet
        The reference set the zones belong to.
    zones : list of Feature
        Zones of ``reference``.
    lon, lat : float
        The point, longitude first (degrees).
    accuracy_m : float
        How far (m, ≥ 0) the point's true position may be from the given one.

    Returns
    -------
    overall : int
        The point's verdict code: the highest over the zones.
    answers : list of ZoneAnswer
        One per zone, with distances, in the order the zones were given.
    """
    overall = OUTSIDE
    answers = []
    for zone in zones:
        shape = reference.zone_shape(zone)
        uncertainty = reference.uncertainty_m(zone)
        margin = accuracy_m + uncertainty
        boundary, centre = shape.distances_one(lon, lat)
        code = verdict_one(boundary, margin)
        overall = max(overall, code)
        answers.append(ZoneAnswer(zone, uncertainty, code, margin, boundary, centre))
    return overall, answers
