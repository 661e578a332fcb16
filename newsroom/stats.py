"""`newsroom stats`: how far behind each consumer group is, how many dead letters wait, and
the state of each render and feeds replica's public folder (in step, rebuilding, refused)."""

import json
from dataclasses import asdict
from typing import Any

from rich.table import Table

from shared.consuming.dead_letters import dead_letter_count
from shared.consuming.stream_stats import stream_stats
from shared.keyspace import SITE_STATUS_PATTERN
from shared.redis_client import AnyRedis, mget, scan_keys
from shared.settings import get_settings
from shared.topology import topology


async def collect(redis: AnyRedis) -> dict[str, Any]:
    """Every stream's length and groups (lag, pending, consumers), the dead-letter count, and
    the site state each running render and feeds replica published."""
    keys = await scan_keys(redis, SITE_STATUS_PATTERN)
    states = [json.loads(raw) for raw in await mget(redis, keys) if raw]
    streams = [s.name for s in topology(get_settings().layout)]
    return {
        "streams": [asdict(s) for s in await stream_stats(redis, streams)],
        "dead_letters": await dead_letter_count(redis, get_settings().layout),
        "site": states,
    }


def site_table(stats: dict[str, Any]) -> Table:
    """The site state of each replica: ok, checking, rebuilding (with progress), waiting,
    refused (with the reason)."""
    out = Table(title="Public folder")
    for column in ("service", "consumer", "state", "detail"):
        out.add_column(column)
    for state in stats["site"]:
        style = "bold red" if state["state"] == "refused" else None
        out.add_row(
            state["service"], state["consumer"], state["state"], state["detail"], style=style
        )
    return out


def table(stats: dict[str, Any]) -> Table:
    """The stats as a table, one row per stream and group."""
    out = Table(title="Newsroom streams", caption=f"dead letters: {stats['dead_letters']}")
    for column in ("stream", "length", "group", "lag", "pending", "consumers"):
        out.add_column(column, justify="left" if column in ("stream", "group") else "right")
    for stream in stats["streams"]:
        if not stream["groups"]:
            out.add_row(stream["stream"], str(stream["length"]), "—", "", "", "")
        for group in stream["groups"]:
            lag = "unknown" if group["lag"] is None else str(group["lag"])
            out.add_row(
                stream["stream"],
                str(stream["length"]),
                group["group"],
                lag,
                str(group["pending"]),
                str(group["consumers"]),
            )
    return out
