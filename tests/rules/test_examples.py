"""The Examples in the rules package's docstrings run, and print what they say."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import service.rules

MODULES = [m.name for m in pkgutil.iter_modules(service.rules.__path__, "service.rules.")]


@pytest.mark.parametrize("name", MODULES)
def test_examples_print_what_they_say(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
