"""Dead letters: entries a consumer gave up on, kept beside their stream.

Each stream has its own dead-letters stream in its slot (`keyspace.dead_letters_key`), so
on a Redis Cluster too giving up on an entry adds its dead letter and acks it in one
transaction, and replaying one adds its payload back to its stream (every group reading that
stream sees it again; consumers render from the store, so a group that already handled it
just rewrites the same files) and deletes the dead letter, in one transaction too.

Each dead letter has the string fields `stream`, `group`, `entry_id`, `error`, `deliveries`,
`failed_at` and `payload` (a JSON object of the original entry's fields). Operators name one
by its reference, `<tag>/<entry id>` (the tag of its stream's slot), or by its entry id alone.
"""

import json
from dataclasses import dataclass

from redis.asyncio import Redis

from shared.clock import utcnow
from shared.keyspace import Layout, dead_letters_key, tag_of
from shared.redis_client import as_text
from shared.topology import outbox_streams, topology

ERROR_LIMIT = 2000


class DeadLetterNotFoundError(LookupError):
    """No dead letter has that id."""


def dead_letter_keys(layout: Layout) -> list[str]:
    """Every dead-letters stream: one per slot of the streams of the platform (`layout`'s)."""
    streams = [*topology(layout), *outbox_streams(layout)]
    return sorted({dead_letters_key(stream.name) for stream in streams})


@dataclass(frozen=True)
class DeadLetter:
    """One dead letter: its entry id in the dead-letters stream `key`, and its fields."""

    key: str
    id: str
    fields: dict[str, str]

    @property
    def ref(self) -> str:
        """How operators name it: the tag of its slot and its entry id."""
        return f"{tag_of(self.key)}/{self.id}"

    @property
    def payload(self) -> dict[str, str]:
        """The original entry's fields."""
        return json.loads(self.fields.get("payload", "{}"))


async def give_up(
    redis: Redis,
    stream: str,
    group: str,
    entry_id: str,
    *,
    payload: str,
    deliveries: int,
    error: str,
) -> None:
    """Move entry `entry_id` of `stream` (its fields as a JSON `payload`) to the dead
    letters and ack it for `group`, in one transaction."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.xadd(
            dead_letters_key(stream),
            {
                "stream": stream,
                "group": group,
                "entry_id": entry_id,
                "error": error[:ERROR_LIMIT],
                "deliveries": str(deliveries),
                "failed_at": utcnow().isoformat(),
                "payload": payload,
            },
        )
        pipe.xack(stream, group, entry_id)
        await pipe.execute()


def _letter(key: str, entry_id: bytes | str, fields: dict[bytes | str, bytes | str]) -> DeadLetter:
    return DeadLetter(key, as_text(entry_id), {as_text(k): as_text(v) for k, v in fields.items()})


async def list_letters(redis: Redis, layout: Layout, limit: int = 50) -> list[DeadLetter]:
    """The oldest `limit` dead letters of every stream, oldest first."""
    found = []
    for key in dead_letter_keys(layout):
        found += [_letter(key, *entry) for entry in await redis.xrange(key, count=limit)]
    return sorted(found, key=lambda letter: _order(letter.id))[:limit]


def _order(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


async def get_letter(redis: Redis, layout: Layout, ref: str) -> DeadLetter:
    """One dead letter by its reference (`<tag>/<entry id>`) or its entry id alone (the first
    dead-letters stream holding one with that id)."""
    tag, _, entry_id = ref.rpartition("/")
    keys = [dead_letters_key(f"{{{tag}}}")] if tag else dead_letter_keys(layout)
    for key in keys:
        if entries := await redis.xrange(key, entry_id, entry_id):
            return _letter(key, *entries[0])
    raise DeadLetterNotFoundError(ref)


async def replay(redis: Redis, layout: Layout, ref: str) -> str:
    """Put a dead letter's payload back on its stream and drop it; the new entry's id."""
    letter = await get_letter(redis, layout, ref)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.xadd(letter.fields["stream"], letter.payload)
        pipe.xdel(letter.key, letter.id)
        new_id, _ = await pipe.execute()
    return as_text(new_id)


async def dead_letter_count(redis: Redis, layout: Layout) -> int:
    """Entries waiting in every dead-letters stream."""
    return sum([int(await redis.xlen(key)) for key in dead_letter_keys(layout)])
