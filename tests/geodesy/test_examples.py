"""The Examples in the geodesy package's docstrings run, and print what they say."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import service.geodesy

MODULES = [m.name for m in pkgutil.iter_modules(service.geodesy.__path__, "service.geodesy.")]


@pytest.mark.parametrize("name", MODULES)
def test_examples_print_what_they_say(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
