"""How `newsroom import` shows its progress: a bar with its rate on a terminal, plain lines
(one every few seconds) when the output is a file or a pipe."""

import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

PLAIN_EVERY_S = 5.0


def rate(count: int, seconds: float) -> str:
    """`count` lines in `seconds` as a rate."""
    return f"{count / max(seconds, 1e-3):,.0f} articles/s"


class RateColumn(ProgressColumn):
    """Articles per second, over Rich's recent window."""

    def render(self, task: Task) -> Text:
        """The task's current speed."""
        speed = task.finished_speed or task.speed
        shown = f"{speed:,.0f} articles/s" if speed else "… articles/s"
        return Text(shown, style="progress.data.speed")


class ImportProgress:
    """Counts the lines of one import and shows how far it is and how fast it goes."""

    def __init__(self, console: Console, name: str, total: int) -> None:
        self.console = console
        self.name = name
        self.total = total
        self.done = 0
        self.started = self.last_shown = time.monotonic()
        self.ended: float | None = None
        self.bar: Progress | None = None
        if console.is_terminal:
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
            self.bar = Progress(*columns, RateColumn(), TimeRemainingColumn(), console=console)
            self.task = self.bar.add_task(f"importing {name}", total=total)

    @property
    def seconds(self) -> float:
        """Time the import took, or has taken so far."""
        return (self.ended or time.monotonic()) - self.started

    def __enter__(self) -> "ImportProgress":
        self.started = self.last_shown = time.monotonic()
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.ended = time.monotonic()
        if self.bar is not None:
            self.bar.stop()

    def advance(self) -> None:
        """One more line done."""
        self.done += 1
        if self.bar is not None:
            self.bar.advance(self.task)
        elif time.monotonic() - self.last_shown >= PLAIN_EVERY_S:
            self.last_shown = time.monotonic()
            self.console.print(
                f"importing {self.name}: {self.done} of {self.total} lines, "
                f"{rate(self.done, self.seconds)}",
                highlight=False,
            )
