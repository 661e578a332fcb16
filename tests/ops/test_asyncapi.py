"""The committed AsyncAPI documents are what the code generates, and cover the topology."""

import subprocess
import sys

import yaml

from shared.settings import Settings
from shared.topology import streams_read_by, topology
from tests.support.platform import ROOT

DOCS = ROOT / "docs" / "asyncapi"
LAYOUT = Settings().layout  # the default layout, as the documents show it


def load(name: str) -> dict:
    return yaml.safe_load((DOCS / f"{name}.yaml").read_text())


def test_documents_match_the_code():
    # Regenerated in a fresh process (the documents fix REDIS_URL and the consumer name).
    result = subprocess.run(
        [sys.executable, "-m", "newsroom.asyncapi", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ingest_document_declares_every_stream_and_event():
    doc = load("ingest")
    addresses = {c["address"] for c in doc["channels"].values()}
    assert addresses == {s.name for s in topology(LAYOUT)}
    schemas = set(doc["components"]["schemas"])
    for stream in topology(LAYOUT):
        assert set(stream.events) <= schemas


def test_consumer_documents_show_their_groups():
    for group in ("render", "feeds"):
        channels = load(group)["channels"].values()
        read = {c["address"]: c["bindings"]["redis"]["groupName"] for c in channels}
        assert read == dict.fromkeys(streams_read_by(group, LAYOUT), group)
