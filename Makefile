# Two commands: `make run` serves the service, `make test` runs the whole suite.
# Each creates or refreshes the virtual environment in .venv by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: run test lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/geocheck serve --port $(PORT) --workers $${GEOCHECK_WORKERS:-2}

lint: $(STAMP)
	$(BIN)/ruff check service schemas tests bench conftest.py
	$(BIN)/ruff format --check service schemas tests bench conftest.py

typecheck: $(STAMP)
	$(BIN)/mypy service schemas

test: lint typecheck
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/geodesy.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis *.egg-info
