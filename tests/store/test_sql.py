"""The versioned store on SQLite and PostgreSQL: history, audits by data version,
consistency, and concurrent writers that never lose an update."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from service.rules.reference import ReferenceDataError
from service.store.seed import load_reference_documents
from service.store.sql import (
    Change,
    ConflictError,
    NotFoundError,
    PreconditionFailedError,
    SqlStore,
    UnknownVersionError,
)


@pytest.fixture
def open_store(database_url: str) -> Iterator[Callable[[], SqlStore]]:
    """Opens stores on the test database and closes them all afterwards."""
    opened: list[SqlStore] = []

    def opener() -> SqlStore:
        opened.append(SqlStore(database_url))
        return opened[-1]

    yield opener
    for store in opened:
        store.close()


def _site(feature_id: str, lon: float = 38.0, lat: float = 34.0) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": feature_id,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "id": feature_id,
            "name": feature_id.title(),
            "kind": "site",
            "uncertainty_m": 100,
        },
    }


def _document(feature_id: str) -> dict[str, Any]:
    return copy.deepcopy(next(d for d in load_reference_documents() if d["id"] == feature_id))


def test_first_start_seeds_the_reference_set(open_store: Callable[[], SqlStore]) -> None:
    store = open_store()
    assert store.data_version() == 1
    assert len(store.snapshot()) == 18
    again = open_store()  # a second start does not seed twice
    assert again.data_version() == 1 and len(again.snapshot()) == 18


def test_corrections_keep_history_and_zones_follow_their_site(
    open_store: Callable[[], SqlStore],
) -> None:
    store = open_store()
    moved = _document("al-tanf-garrison")
    moved["geometry"]["coordinates"] = [38.63, 33.51]
    version, versions = store.write(
        [Change("al-tanf-garrison", moved, expected_version=1)], "alice", "fix"
    )
    assert version == 2 and versions == {"al-tanf-garrison": 2}
    zone_then = store.snapshot_at(1).resolve("al-tanf-deconfliction-zone")
    zone_now = store.snapshot().resolve("al-tanf-deconfliction-zone")
    assert store.snapshot_at(1).circle_centre(zone_then) == (38.6178, 33.5058)
    assert store.snapshot().circle_centre(zone_now) == (38.63, 33.51)
    history = store.history("al-tanf-garrison")
    assert [(h.version, h.written_by) for h in history] == [(1, "seed"), (2, "alice")]
    with pytest.raises(UnknownVersionError):
        store.snapshot_at(3)


def test_preconditions(open_store: Callable[[], SqlStore]) -> None:
    store = open_store()
    with pytest.raises(ConflictError):
        store.write([Change("palmyra", _document("palmyra"), "create")], "alice", "dup")
    with pytest.raises(NotFoundError):
        store.write([Change("nowhere", _site("nowhere"), "replace")], "alice", "missing")
    with pytest.raises(PreconditionFailedError):
        store.write([Change("palmyra", _document("palmyra"), expected_version=7)], "alice", "stale")
    assert store.data_version() == 1


def test_inconsistent_writes_leave_nothing_behind(open_store: Callable[[], SqlStore]) -> None:
    store = open_store()
    with pytest.raises(ReferenceDataError):
        store.write([Change("al-tanf-garrison", None)], "alice", "retire a zone's centre")
    batch = [Change("new-a", _site("new-a"), "upsert"), Change("al-tanf-garrison", None)]
    with pytest.raises(ReferenceDataError):
        store.write(batch, "alice", "half good")
    assert store.data_version() == 1
    assert "new-a" not in store.snapshot()


def test_retired_features_vanish_but_keep_history(open_store: Callable[[], SqlStore]) -> None:
    store = open_store()
    store.write([Change("damascus", None)], "alice", "retire")
    assert "damascus" not in store.snapshot()
    assert "damascus" in store.snapshot_at(1)
    assert store.history("damascus")[-1].retired
    store.write([Change("damascus", _document("damascus"), "create")], "alice", "revive")
    assert store.snapshot().resolve("damascus").version == 3


def test_concurrent_writers_lose_nothing(open_store: Callable[[], SqlStore]) -> None:
    store = open_store()
    other = open_store()  # a second instance on the same database
    errors: list[BaseException] = []

    def writer(name: str, target: SqlStore) -> None:
        try:
            for i in range(8):
                fid = f"{name}-{i}"
                target.write([Change(fid, _site(fid), "create")], name, f"add {fid}")
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [
        threading.Thread(target=writer, args=(f"w{k}", (store, other)[k % 2])) for k in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert store.data_version() == 1 + 48
    snapshot = other.snapshot()
    assert all(f"w{k}-{i}" in snapshot for k in range(6) for i in range(8))


def test_racing_replacements_of_one_version_let_exactly_one_win(
    open_store: Callable[[], SqlStore],
) -> None:
    store = open_store()
    outcomes: list[str] = []
    lock = threading.Lock()

    def replace(lon: float) -> None:
        document = _document("palmyra")
        document["geometry"]["coordinates"] = [lon, 34.56]
        try:
            store.write([Change("palmyra", document, expected_version=1)], "racer", "race")
            result = "won"
        except PreconditionFailedError:
            result = "412"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=replace, args=(38.2 + k / 100,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["412"] * 5 + ["won"]
    assert store.snapshot().resolve("palmyra").version == 2
