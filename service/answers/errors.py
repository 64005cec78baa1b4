"""Questions the application layer refuses (beside the reference set's own errors in
:mod:`service.rules.errors`); :mod:`service.problems` says how each is answered."""

from __future__ import annotations


class InvalidInputError(ValueError):
    """Input that validated field by field but cannot be answered as a whole.

    Parameters
    ----------
    detail : str
        One sentence for a person (kept as ``detail``).
    errors : dict of str to list of str
        Each bad field (dotted path, ``from.lat``) and its messages (kept as ``errors``).

    Notes
    -----
    :mod:`service.problems` answers it as HTTP 422.
    """

    def __init__(self, detail: str, errors: dict[str, list[str]]) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class OgcParameterError(InvalidInputError):
    """A query parameter of the OGC API that is invalid; OGC API – Features answers these
    with 400, not 422.

    Parameters
    ----------
    detail : str
        One sentence for a person.
    errors : dict of str to list of str
        Each bad parameter and its messages.
    """


class FilterError(OgcParameterError):
    """An OGC API ``filter`` (or its ``filter-lang`` / ``filter-crs``, or a property
    parameter) that does not parse or cannot be evaluated.

    Parameters
    ----------
    detail : str
        What is wrong, for a person; also the one message under ``field``.
    field : str
        The query parameter at fault (``filter``, ``filter-lang``, ``filter-crs``, ``name``…).

    Examples
    --------
    >>> FilterError("The filter is empty.").errors
    {'filter': ['The filter is empty.']}
    """

    def __init__(self, detail: str, field: str = "filter") -> None:
        super().__init__(detail, {field: [detail]})
        self.field = field


class UnknownCollectionError(LookupError):
    """An OGC API collection id that is none of the collections.

    Parameters
    ----------
    collection_id : str
        The id as asked for.
    known : list of str
        The ids of the collections, named in the message.

    Notes
    -----
    :mod:`service.problems` answers it as HTTP 404.
    """

    def __init__(self, collection_id: str, known: list[str]) -> None:
        super().__init__(
            f"No collection {collection_id!r}; the collections are {', '.join(known)}."
        )
        self.collection_id = collection_id
        self.known = known


class NotInCollectionError(LookupError):
    """A feature asked for in a collection that does not hold its kind.

    Parameters
    ----------
    feature_id : str
        The feature's canonical id.
    collection_id : str
        The collection it was asked for in.

    Notes
    -----
    :mod:`service.problems` answers it as HTTP 404.
    """

    def __init__(self, feature_id: str, collection_id: str) -> None:
        super().__init__(f"{feature_id!r} is not in the {collection_id} collection.")
        self.feature_id = feature_id
        self.collection_id = collection_id


class BatchTooLargeError(ValueError):
    """More items in one request than the configured limit allows.

    Parameters
    ----------
    count : int
        The number of items sent.
    limit : int
        The most one request may carry.
    field : str
        The request field that holds them.
    unit : str
        What the items are, for the message (``points``, ``features``).

    Notes
    -----
    :mod:`service.problems` answers it as HTTP 413.
    """

    def __init__(self, count: int, limit: int, field: str, unit: str = "points") -> None:
        super().__init__(f"{count} {unit} is more than the limit of {limit}")
        self.count = count
        self.limit = limit
        self.field = field
        self.unit = unit
