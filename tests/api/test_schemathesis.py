"""Property-based run of the whole contract with schemathesis: generated requests (valid
and not) must never produce a server error, an undocumented status, or a response that
breaks the documented schema. Bounded so the suite stays fast."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from service import create_app

_DATABASE = Path(tempfile.mkdtemp(prefix="geocheck-st-")) / "st.sqlite"
# No write token is configured, so generated writes can only be refused (401/403).
schema = schemathesis.openapi.from_wsgi(
    "/openapi.yaml",
    create_app({"MAX_BATCH_POINTS": 50, "DATABASE_URL": f"sqlite:///{_DATABASE}"}),
)


@schema.parametrize()
@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_honours_its_contract(case: schemathesis.Case) -> None:
    # Every check but "schema-valid data must be accepted": point strings, aliases and
    # lengths with units are free-form strings whose validity no JSON Schema states.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


def test_contract_file_is_the_one_served() -> None:
    assert (Path(__file__).resolve().parents[2] / "openapi.yaml").exists()
