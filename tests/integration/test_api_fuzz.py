"""Schema-driven fuzzing of the real ingest process with schemathesis, write calls included.

Every generated request (valid and invalid, with a valid token) must get an answer that its
OpenAPI document allows: a documented status, the documented JSON shape, never a 5xx.
"""

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.ingest.app import create_app
from shared.settings import Settings
from tests.support.platform import Platform, wait_for
from tests.support.redis_server import redis_executor, url_of
from tests.support.samples import AUTH
from tests.support.timing import scaled

EXAMPLES_PER_OPERATION = 160
OPERATIONS = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
sent: list[tuple[str, int]] = []


@pytest.fixture(scope="module")
def ingest_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir: Path = tmp_path_factory.mktemp("fuzz")
    with redis_executor(workdir / "redis") as executor:
        platform = Platform(url_of(executor), workdir)
        platform.env["NEWSROOM_VIEWS_RATE_LIMIT"] = "0"
        platform.start("ingest")
        base = f"http://127.0.0.1:{platform.ingest_port}"
        try:
            wait_for(lambda: httpx.get(f"{base}/api/ready").status_code == 200, 30)
            yield base
        finally:
            platform.stop()


# The document the running service serves is this one: the same code builds both.
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi())


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_generated_request_gets_a_documented_answer(
    ingest_url: str, case: schemathesis.Case
) -> None:
    response = case.call_and_validate(
        base_url=ingest_url,
        headers=AUTH,
        checks=CHECKS,
        timeout=scaled(30),
    )
    sent.append((case.operation.label, response.status_code))


@pytest.mark.slow
def test_the_fuzz_run_sent_enough_requests_to_every_operation() -> None:
    per_operation = Counter(op for op, _ in sent)
    accepted = Counter(op for op, status in sent if status < 300)
    print(f"{len(sent)} requests: {per_operation}; accepted: {accepted}")
    assert len(per_operation) == OPERATIONS
    assert len(sent) >= 1000
    assert accepted["PUT /api/articles/{article_id}"] >= 1
    assert accepted["DELETE /api/articles/{article_id}"] >= 1
    assert accepted["POST /api/views"] >= 10
