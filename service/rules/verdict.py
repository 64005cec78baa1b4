"""Three-valued verdicts: inside, uncertain, outside.

For a point P and zone Z: ``b`` is the signed geodesic distance from P to Z's boundary
(negative inside) and ``margin`` = Z's uncertainty + P's accuracy (m). The verdict is
``inside`` if ``b < −margin``, ``outside`` if ``b > margin``, else ``uncertain``. With zero
margin the zone is closed: ``inside ⇔ b ≤ 0``. Verdicts are coded as int8: 1 inside,
0 uncertain, −1 outside, so a point's overall verdict is the maximum over its zones.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from service.geodesy.ellipsoid import FloatArray
from service.rules.shapes import Bounded

INSIDE = 1
UNCERTAIN = 0
OUTSIDE = -1
NAMES = {INSIDE: "inside", UNCERTAIN: "uncertain", OUTSIDE: "outside"}
#: Index a numpy array of codes + 1 to get names.
NAME_TABLE = np.array(["outside", "uncertain", "inside"], dtype=object)

Codes = npt.NDArray[np.int8]


def verdict_codes(boundary_m: npt.ArrayLike, margin_m: npt.ArrayLike) -> Codes:
    """Verdicts from exact signed distances and margins (broadcast).

    Parameters
    ----------
    boundary_m : array_like
        Signed distances to the zone's boundary (m, negative inside).
    margin_m : array_like
        Zone uncertainty plus point accuracy (m, ≥ 0).

    Returns
    -------
    ndarray of int8
        1 inside (``b < −margin``, or ``b ≤ 0`` with no margin), −1 outside
        (``b > margin``), 0 uncertain.

    Examples
    --------
    >>> verdict_codes([-10.0, 0.0, 5.0, 5.1], [5.0, 0.0, 5.0, 5.0]).tolist()
    [1, 1, 0, -1]
    """
    b = np.asarray(boundary_m, dtype=np.float64)
    m = np.asarray(margin_m, dtype=np.float64)
    closed = np.where(b <= 0, INSIDE, OUTSIDE)
    banded = np.where(b < -m, INSIDE, np.where(b > m, OUTSIDE, UNCERTAIN))
    return np.where(m == 0, closed, banded).astype(np.int8)


def verdict_one(boundary_m: float, margin_m: float) -> int:
    """Scalar :func:`verdict_codes` for the single-point path.

    Parameters
    ----------
    boundary_m : float
        Signed distance to the zone's boundary (m, negative inside).
    margin_m : float
        Zone uncertainty plus point accuracy (m, ≥ 0).

    Returns
    -------
    int
        1 inside, 0 uncertain, −1 outside, as :func:`verdict_codes` decides.

    Examples
    --------
    >>> verdict_one(-10.0, 5.0), verdict_one(0.0, 0.0), verdict_one(5.0, 5.0), verdict_one(5.1, 5.0)
    (1, 1, 0, -1)
    """
    if margin_m == 0:
        return INSIDE if boundary_m <= 0 else OUTSIDE
    if boundary_m < -margin_m:
        return INSIDE
    return OUTSIDE if boundary_m > margin_m else UNCERTAIN


def _decided_by_bounds(low: FloatArray, high: FloatArray, margin: FloatArray) -> Codes:
    """Verdicts that the bounds make certain; 2 where the exact distance is needed."""
    undecided = np.int8(2)
    out = np.full(low.shape, undecided, dtype=np.int8)
    zero = margin == 0
    out[np.where(zero, high <= 0, high < -margin)] = INSIDE
    out[low > margin] = OUTSIDE
    out[~zero & (low >= -margin) & (high <= margin)] = UNCERTAIN
    return out


def fast_verdicts(
    shape: Bounded, lon: FloatArray, lat: FloatArray, margin_m: npt.ArrayLike
) -> Codes:
    """Verdicts for many points, computing exact distances only where the proven bounds
    leave the answer open. Identical to ``verdict_codes(shape.signed_distance(...))``.

    Parameters
    ----------
    shape : Bounded
        Any shape with a signed distance and proven bounds; its ``verdict_bounds`` hook,
        if it has one, is used when every point has the same margin.
    lon, lat : ndarray of float
        Longitudes, then latitudes, of the points (degrees, 1-D, equal lengths).
    margin_m : array_like
        Zone uncertainty plus point accuracy (m, ≥ 0), one per point or one for all.

    Returns
    -------
    ndarray of int8
        The verdict codes, as :func:`verdict_codes` gives them.
    """
    given = np.asarray(margin_m, dtype=np.float64)
    margin = np.broadcast_to(given, lon.shape)
    uniform = given.ndim == 0 or (margin.size > 0 and bool(np.ptp(margin) == 0))
    # A shape's own fast test for one shared margin, where it has one (see Bounded).
    decided_for_one_margin = getattr(shape, "verdict_bounds", None)
    if decided_for_one_margin is not None and uniform:
        codes = decided_for_one_margin(lon, lat, float(margin.flat[0]))
    else:
        low, high = shape.boundary_bounds(lon, lat)
        codes = _decided_by_bounds(low, high, margin)
    open_ = np.nonzero(codes == 2)[0]
    if open_.size:
        exact = shape.signed_distance(lon[open_], lat[open_])
        codes[open_] = verdict_codes(exact, margin[open_])
    return codes
