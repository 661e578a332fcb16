"""When an acknowledged write must be replicated first, and how ingest says it was not."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.ingest.errors import install
from shared.replication import NotReplicatedError, ReplicaWait
from shared.settings import Settings


@pytest.mark.parametrize(
    ("cluster", "replicas", "waited"),
    [(False, 1, 0), (True, 1, 1), (True, 2, 2), (True, 0, 0)],
)
def test_writes_wait_for_replicas_only_on_a_cluster(cluster: bool, replicas: int, waited: int):
    settings = Settings(
        redis_cluster=cluster, redis_wait_replicas=replicas, redis_wait_timeout_ms=250
    )
    assert ReplicaWait.from_settings(settings) == ReplicaWait(waited, 250)


def test_fewer_replicas_than_wanted_is_an_error():
    ReplicaWait(1).check(1)
    ReplicaWait(0).check(0)
    with pytest.raises(NotReplicatedError) as caught:
        ReplicaWait(2).check(1)
    assert (caught.value.reached, caught.value.wanted) == (1, 2)


def test_ingest_answers_503_with_retry_after_when_a_write_is_not_replicated():
    app = FastAPI()
    install(app)

    @app.put("/api/articles/x")
    async def put() -> None:
        raise NotReplicatedError(0, 1)

    answer = TestClient(app).put("/api/articles/x")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "1"
    assert answer.json() == {
        "error": "write not replicated in time",
        "detail": "the write reached 0 of 1 replica(s) in time",
    }
