"""The one exception the geodesy core raises for bad input."""


class GeodesyError(ValueError):
    """Input the geodesy core cannot answer for: NaN or infinite numbers, latitudes outside
    [-90, 90], negative distances, empty or degenerate geometry.

    Parameters
    ----------
    message : str
        What was wrong and how to fix it.
    field : str or None
        The offending argument (``lat``, ``radius_m``, ``coordinates``...), when one can
        be named; kept as :attr:`field`.

    Examples
    --------
    >>> err = GeodesyError("radius_m must not be negative", "radius_m")
    >>> str(err), err.field, isinstance(err, ValueError)
    ('radius_m must not be negative', 'radius_m', True)
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
