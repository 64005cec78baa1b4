"""The domain errors of the reference set: what a question can name wrongly.

They carry what a person needs to fix the question (close matches, the kind found, the
validity interval); :mod:`service.problems` is the one place that turns each into an
HTTP problem.
"""

from __future__ import annotations

from datetime import datetime


class UnknownFeatureError(LookupError):
    """No feature has that id, name or alias.

    Parameters
    ----------
    ref : str
        The reference as given.
    suggestions : list of str
        Ids of close matches (see :meth:`~service.rules.reference.ReferenceSet.suggest`).
    field : str or None
        The request field that named it, where one did.
    note : str
        What else was tried (``"and it is not a point"``), added to the message.

    Examples
    --------
    >>> err = UnknownFeatureError("palmira", ["palmyra"])
    >>> err.detail
    "No feature or alias named 'palmira'. Did you mean: palmyra?"
    """

    def __init__(
        self, ref: str, suggestions: list[str], field: str | None = None, note: str = ""
    ) -> None:
        tried = f", {note}" if note else ""
        super().__init__(f"No feature or alias named {ref!r}{tried}.")
        self.ref = ref
        self.suggestions = suggestions
        self.field = field
        self.note = note

    @property
    def hint(self) -> str:
        """`` Did you mean: …?`` with the close matches, or nothing."""
        return f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""

    @property
    def detail(self) -> str:
        """The message with the close matches, as answers state it."""
        return f"{self}{self.hint}"


class NotAZoneError(ValueError):
    """A feature named where a zone is required.

    Parameters
    ----------
    ref : str
        The reference as given.
    kind : str
        The kind of the feature it names (``site``, ``route``, ``area``).
    field : str
        The request field that named it.

    Examples
    --------
    >>> str(NotAZoneError("palmyra", "site"))
    "'palmyra' is a site, not a zone"
    """

    def __init__(self, ref: str, kind: str, field: str = "zones") -> None:
        super().__init__(f"{ref!r} is a {kind}, not a zone")
        self.ref = ref
        self.kind = kind
        self.field = field


class ReferenceDataError(ValueError):
    """The reference set is inconsistent (a zone names a missing site, two features claim
    one alias...).

    Parameters
    ----------
    problems : list of str
        Every inconsistency found, each naming the feature; the message joins them with
        ``"; "``.
    """

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class NotInForceError(ValueError):
    """A feature named at an instant outside its validity interval ``[valid_from, valid_to)``.

    Parameters
    ----------
    ref : str
        The reference as given.
    at : datetime
        The instant asked about.
    valid_from, valid_to : datetime or None
        The feature's validity interval, open-ended where ``None``.
    field : str
        The request field that named it (``to``, ``zones``, ``at``).
    """

    def __init__(
        self,
        ref: str,
        at: datetime,
        valid_from: datetime | None,
        valid_to: datetime | None,
        field: str = "at",
    ) -> None:
        super().__init__(f"{ref!r} is not in force at the requested time")
        self.ref = ref
        self.at = at
        self.valid_from = valid_from
        self.valid_to = valid_to
        self.field = field
