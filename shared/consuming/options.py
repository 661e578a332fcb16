"""How a consumer replica is named, retries, claims and gives up (see Settings for each knob)."""

import os
import socket
from dataclasses import dataclass, field

from shared.settings import Settings


def _host_pid() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def consumer_name(settings: Settings) -> str:
    """This replica's name in its groups: NEWSROOM_CONSUMER, else host-pid."""
    return settings.consumer or _host_pid()


@dataclass(frozen=True)
class Options:
    """The delivery and guard knobs of one consumer replica."""

    max_deliveries: int
    claim_idle_ms: int
    redis_give_up_s: float
    trim_interval_s: float
    consumer: str = field(default_factory=_host_pid)

    @classmethod
    def from_settings(cls, settings: Settings) -> "Options":
        """The options the environment sets."""
        return cls(
            consumer=consumer_name(settings),
            max_deliveries=settings.max_deliveries,
            claim_idle_ms=settings.claim_idle_ms,
            redis_give_up_s=settings.redis_give_up_s,
            trim_interval_s=settings.trim_interval_s,
        )

    @property
    def claim_every_ms(self) -> int:
        """Pause of a claimer that found nothing: a third of the idle time, 50 ms to 5 s."""
        return max(50, min(5000, self.claim_idle_ms // 3))
