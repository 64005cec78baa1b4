"""The one exception the geodesy core raises for bad input."""


class GeodesyError(ValueError):
    """Input the geodesy core cannot answer for: NaN or infinite numbers, latitudes outside
    [-90, 90], negative distances, empty or degenerate geometry.

    The message says what was wrong and how to fix it; ``field`` names the offending
    argument when one can be named.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
