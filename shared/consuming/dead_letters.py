"""Dead letters: entries a consumer gave up on, kept in `newsroom:dead-letters`.

Each dead letter has the string fields `stream`, `group`, `entry_id`, `error`, `deliveries`,
`failed_at` and `payload` (a JSON object of the original entry's fields). Giving up on an
entry adds its dead letter and acks it in one transaction; replaying one adds its payload
back to its stream (every group reading that stream sees it again; consumers render from
the store, so a group that already handled it just rewrites the same files) and deletes the
dead letter, both in one transaction too.
"""

import json
from dataclasses import dataclass

from redis.asyncio import Redis

from shared.clock import utcnow
from shared.redis_client import as_text
from shared.topology import DEAD_LETTERS_STREAM

ERROR_LIMIT = 2000


class DeadLetterNotFoundError(LookupError):
    """No dead letter has that id."""


@dataclass(frozen=True)
class DeadLetter:
    """One dead letter."""

    id: str
    fields: dict[str, str]

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
            DEAD_LETTERS_STREAM,
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


def _letter(entry_id: bytes | str, fields: dict[bytes | str, bytes | str]) -> DeadLetter:
    return DeadLetter(as_text(entry_id), {as_text(k): as_text(v) for k, v in fields.items()})


async def list_letters(redis: Redis, limit: int = 50) -> list[DeadLetter]:
    """The oldest `limit` dead letters."""
    entries = await redis.xrange(DEAD_LETTERS_STREAM, count=limit)
    return [_letter(entry_id, fields) for entry_id, fields in entries]


async def get_letter(redis: Redis, letter_id: str) -> DeadLetter:
    """One dead letter by its id."""
    entries = await redis.xrange(DEAD_LETTERS_STREAM, letter_id, letter_id)
    if not entries:
        raise DeadLetterNotFoundError(letter_id)
    return _letter(*entries[0])


async def replay(redis: Redis, letter_id: str) -> str:
    """Put a dead letter's payload back on its stream and drop it; the new entry's id."""
    letter = await get_letter(redis, letter_id)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.xadd(letter.fields["stream"], letter.payload)
        pipe.xdel(DEAD_LETTERS_STREAM, letter_id)
        new_id, _ = await pipe.execute()
    return as_text(new_id)


async def dead_letter_count(redis: Redis) -> int:
    """Entries waiting in the dead-letter stream."""
    return int(await redis.xlen(DEAD_LETTERS_STREAM))
