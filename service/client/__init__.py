"""geocheck from Python scripts: the same questions locally or against a server.

>>> from service.client import LocalGeocheck
>>> with LocalGeocheck() as gc:                        # no server: the local store
...     answer = gc.check(["33.9, 38.2", {"lat": 33.5, "lon": 38.6}])
...     answer["results"][1]["verdict"]
'inside'

``RemoteGeocheck("http://127.0.0.1:8000")`` asks a running service instead. Both validate
with the same schemas and answer from the same application layer
(:mod:`service.answers`), so they return the same JSON structures and raise the same
problems (as :class:`GeocheckError`); the local client needs no Flask and no server. For
bulk work, :meth:`Geocheck.check_columns` and :meth:`Geocheck.distance_columns` take columns
(lists or numpy arrays of lat, lon), and :meth:`Geocheck.snapshot` pins one data version and
instant for a run of such questions. Every answer is plain JSON values, except that a
local snapshot's column answers hold numpy arrays where a server sends lists of numbers
(the same values); a local snapshot may be shared between threads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from service.client.base import Geocheck, GeocheckError, Snapshot

if TYPE_CHECKING:
    from service.client.local import LocalGeocheck, LocalSnapshot
    from service.client.remote import RemoteGeocheck

#: Imported when first used: a script that asks a server never loads the store, and one
#: that answers locally never loads requests.
_LAZY = {
    "LocalGeocheck": "service.client.local",
    "LocalSnapshot": "service.client.local",
    "RemoteGeocheck": "service.client.remote",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Geocheck",
    "GeocheckError",
    "LocalGeocheck",
    "LocalSnapshot",
    "RemoteGeocheck",
    "Snapshot",
]
