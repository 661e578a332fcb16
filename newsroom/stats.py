"""`newsroom stats`: how far behind each consumer group is, and how many dead letters wait."""

from dataclasses import asdict
from typing import Any

from redis.asyncio import Redis
from rich.table import Table

from shared.stream_stats import dead_letter_count, stream_stats


async def collect(redis: Redis) -> dict[str, Any]:
    """Every stream's length and groups (lag, pending, consumers), and the dead-letter count."""
    return {
        "streams": [asdict(s) for s in await stream_stats(redis)],
        "dead_letters": await dead_letter_count(redis),
    }


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
