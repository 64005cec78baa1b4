"""Opening the store: migrations only for a schema behind the head revision, the seed read
only to seed an empty store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory

from service.store import database
from service.store.database import MIGRATIONS
from service.store.migrations import HEAD_REVISION
from service.store.seed import GeodataError
from service.store.sql import SqlStore


def test_head_revision_is_alembics_head() -> None:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_heads() == [HEAD_REVISION]


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    opened = SqlStore(database_url)
    yield opened
    opened.close()


def test_a_current_seeded_store_is_neither_migrated_nor_seeded_again(
    store: SqlStore, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("migrated a store already at the head revision")

    monkeypatch.setattr(database, "migrate", refuse)
    # A seed folder that cannot be read: it is not read, since the store has data.
    (tmp_path / "bad.geojson").write_text("not json")
    again = SqlStore(database_url, tmp_path)
    assert again.data_version() == 1 and len(again.snapshot()) == 18
    again.close()


def test_the_seed_is_read_only_to_seed(tmp_path: Path) -> None:
    (tmp_path / "bad.geojson").write_text("not json")
    with pytest.raises(GeodataError):
        SqlStore(f"sqlite:///{tmp_path / 'empty.sqlite'}", tmp_path)


def test_a_store_left_unseeded_is_seeded_without_migrating_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'half.sqlite'}"
    engine = database.make_engine(url)
    database.migrate(engine)  # as if a first start had stopped right after migrating
    engine.dispose()
    monkeypatch.setattr(database, "migrate", lambda engine: pytest.fail("migrated twice"))
    store = SqlStore(url)
    assert store.data_version() == 1 and len(store.snapshot()) == 18
    store.close()
