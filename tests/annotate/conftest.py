"""The annotate tests' client: one local store, seeded once for the package."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.client import LocalGeocheck


@pytest.fixture(scope="package")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalGeocheck]:
    client = LocalGeocheck(f"sqlite:///{tmp_path_factory.mktemp('annotate') / 'a.sqlite'}")
    yield client
    client.close()
