"""The run console: the services' JSON log lines as short readable lines, in full to files.

Each service writes one JSON object per line (shared/logs.py). `newsroom run` reads its
children's output, shows each record as `time service level message [article]` (coloured on a
terminal) and keeps the whole record in `<state>/logs/<service>.jsonl`, rotated at start and
when it grows past a bound.
"""

import json
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from rich.color import ColorSystem
from rich.console import Console
from rich.style import Style

MAX_LOG_BYTES = 10_000_000  # per file; one older file is kept beside it
LEVEL_STYLES = {"debug": "dim", "warning": "yellow", "error": "bold red", "critical": "bold red"}
SERVICE_STYLES = {"ingest": "cyan", "render": "magenta", "feeds": "green", "site": "blue"}
SERVICE_WIDTH = 6
LEVEL_WIDTH = 7


def parse_record(line: str) -> dict[str, Any] | None:
    """The JSON object on `line`, or None when the line is not one."""
    if not line.startswith("{"):
        return None
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _local_time(ts: object) -> str:
    try:
        moment = datetime.fromisoformat(str(ts))
    except ValueError:
        moment = datetime.now(UTC)
    return moment.astimezone().strftime("%H:%M:%S")


def short_line(record: dict[str, Any], service: str, colours: ColorSystem | None = None) -> str:
    """`record` as one line: local time, service, level, message, the article id if any, and
    the last line of an exception (its traceback stays in the file); with ANSI `colours`."""
    level = str(record.get("level", "info")).lower()
    name = str(record.get("service", service))
    message = str(record.get("msg", ""))
    if record.get("exc"):
        message += f": {str(record['exc']).strip().splitlines()[-1]}"
    parts = [
        (_local_time(record.get("ts")), "dim"),
        (f" {name:<{SERVICE_WIDTH}}", SERVICE_STYLES.get(name, "")),
        (f" {level:<{LEVEL_WIDTH}} {message}", LEVEL_STYLES.get(level, "")),
    ]
    if record.get("article_id"):
        parts.append((f"  article={record['article_id']}", "bold"))
    if colours is None:
        return "".join(text for text, _ in parts)
    return "".join(Style.parse(style).render(text, color_system=colours) for text, style in parts)


class BoundedLog:
    """Lines appended to `path` (by one writer at a time), started afresh now and whenever it
    passes `max_bytes`; the file before (the previous run's, at start) is kept as `<path>.1`."""

    def __init__(self, path: Path, max_bytes: int = MAX_LOG_BYTES) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.max_bytes = max_bytes
        self._file = self._fresh()
        self._size = 0

    def _fresh(self) -> IO[str]:
        if self.path.exists():
            self.path.replace(self.path.with_name(self.path.name + ".1"))
        return self.path.open("w", encoding="utf-8")

    def write(self, line: str) -> None:
        """Append `line` and flush it, so a reader of the file sees it at once."""
        if self._size > self.max_bytes:
            self._file.close()
            self._file = self._fresh()
            self._size = 0
        self._file.write(line + "\n")
        self._file.flush()
        self._size += len(line.encode()) + 1

    def close(self) -> None:
        """Close the file."""
        self._file.close()


class LogConsole:
    """Follows children's output: short lines to the console, records to `folder/<name>.jsonl`."""

    def __init__(self, folder: Path, console: Console) -> None:
        self.folder = folder
        self.out = console.file
        # The basic colours look alike in every colour system; none where NO_COLOR is set.
        coloured = console.is_terminal and console.color_system is not None
        self.colours = ColorSystem.STANDARD if coloured else None
        self._files: dict[str, BoundedLog] = {}
        self._readers: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def follow(self, name: str, stdout: IO[bytes], stderr: IO[bytes]) -> None:
        """Read a child's stdout and stderr until they close, in background threads."""
        with self._lock:
            if name not in self._files:
                self._files[name] = BoundedLog(self.folder / f"{name}.jsonl")
            for stream, level in ((stdout, "info"), (stderr, "error")):
                reader = threading.Thread(
                    target=self._read, args=(name, stream, level), name=f"log-{name}", daemon=True
                )
                reader.start()
                self._readers.append(reader)

    def _read(self, name: str, stream: IO[bytes], level: str) -> None:
        """Each line: the record (a plain line, like a traceback, wrapped in one) to the file,
        its short line to the console."""
        with stream:
            for raw in stream:
                line = raw.decode("utf-8", "replace").rstrip()
                if not line:
                    continue
                record = parse_record(line)
                if record is None:
                    now = datetime.now(UTC).isoformat()
                    record = {"ts": now, "level": level, "service": name, "msg": line}
                    line = json.dumps(record, ensure_ascii=False)
                short = short_line(record, name, self.colours)
                with self._lock:
                    if self._closed:
                        continue  # a grandchild still holding the pipe after close()
                    self._files[name].write(line)
                    self.out.write(short + "\n")
                    self.out.flush()

    def close(self, timeout: float = 5.0) -> None:
        """Wait (at most `timeout` seconds in all) for the readers to finish; close the files."""
        deadline = time.monotonic() + timeout
        for reader in self._readers:
            reader.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            self._closed = True
            for log in self._files.values():
                log.close()
